#!/usr/bin/env python
from sightline.__main__ import main

if __name__ == "__main__":
    main()
