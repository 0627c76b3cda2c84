"""Tag suggestions for assets missing a type, stage, vertical or persona: the model that proposes
values with a confidence and says why (model.py), and what a suggestion is (suggestion.py)."""
