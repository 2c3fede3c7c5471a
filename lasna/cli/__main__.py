import sys

from lasna.cli import main

sys.exit(main())
