"""Deal context -> candidates -> eligibility -> scoring -> diversity -> reasons."""
