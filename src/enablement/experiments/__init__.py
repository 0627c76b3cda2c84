"""Online experiments: comparing rankers on live traffic (interleaving and holdouts)."""
