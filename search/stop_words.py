"""Stop-word lists that come from elsewhere (our own additions live with each analyzer).

SNOWBALL_ENGLISH is the Snowball project's English stop list
(https://snowballstem.org/algorithms/english/stop.txt, BSD 3-Clause licence,
copyright the Snowball authors) as PostgreSQL ships it
(src/backend/snowball/stopwords/english.stop): the 127 words Whoosh's
``stopwords_for_language("en")`` returned, kept here unchanged so no indexed
token changed when Whoosh left the project.
"""

from __future__ import annotations

_SNOWBALL_ENGLISH = """
a about above after again against all am an and any are as at be because been before being
below between both but by can did do does doing don down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own s same she should so some such t than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with you your yours yourself yourselves
"""

SNOWBALL_ENGLISH = frozenset(_SNOWBALL_ENGLISH.split())
