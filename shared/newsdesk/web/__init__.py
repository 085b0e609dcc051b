"""The HTTP side of the content API: problems, responses, documentation, input bounds."""
