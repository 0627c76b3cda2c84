"""The ranker registry (issue 15): where trained rankers live (data_dir/rankers, one folder each,
and a row each in the store) and which one is live, changed only by promotion and rollback."""

from enablement.rankers.model import Change, RankerRecord
from enablement.rankers.registry import RankerRegistry

__all__ = ["Change", "RankerRecord", "RankerRegistry"]
