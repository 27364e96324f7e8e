import sys

from imgclf.course.cli import main

sys.exit(main())
