"""What every layer shares: the error type for bad input, path safety, atomic file writes, package resources."""
