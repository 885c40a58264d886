"""Community forum: topics, replies, votes, accepted answers, moderation and the ask flow."""
