"""The brand community: rooms, posts, comments on posts, likes on both, and moderation
(hide or delete, with who and when). Emits ``post.created``, ``post.liked``,
``post_comment.created``, ``post_comment.liked``; a member's first step in the
community joins them (``members.service.join``, ``user.joined``)."""
