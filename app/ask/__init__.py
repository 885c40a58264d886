"""The ask flow: a question drafted with suggested answers before it becomes a forum topic."""
