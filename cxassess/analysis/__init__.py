"""Pure analysis over validated inputs: scores, actions, the customers' voice, change between waves, one client's analysis."""
