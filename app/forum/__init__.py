"""Community forum: topics, replies, votes, accepted answers, follows and notifications."""
