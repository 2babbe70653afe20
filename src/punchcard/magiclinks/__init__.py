"""Magic links: a brand with custom auth signs its member in to the community portal
with a one-time link (15 minutes, one use). Creating one enrols the member by the
brand's ``customAuthSub`` or attaches the sub to the member with that email or phone;
consuming it opens a member session and joins the member to the community."""
