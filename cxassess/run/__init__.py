"""Running reports: the notebook in a fresh kernel, batches of clients, worker pools, the portfolio, publishing."""
