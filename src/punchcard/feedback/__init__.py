"""Feedback boards: boards of ideas members post and vote on (one vote per member per
idea), each idea with a status the merchant moves (``open | planned | in_progress |
done | declined``)."""
