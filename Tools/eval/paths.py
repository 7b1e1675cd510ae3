"""Put Tools/shapesworld on the import path (the eval harness reuses its generator and judge)."""

import os
import sys

SHAPESWORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "shapesworld")
if SHAPESWORLD not in sys.path:
    sys.path.insert(0, SHAPESWORLD)
