"""Step 5, supervise (群众监督): the public board, ratings, objections, escalations, figures."""
