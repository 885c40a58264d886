"""What each metric means, as the dashboards and the API document it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

HELP = {
    "self_service_score": _l(
        "Self-service score (the North Star): distinct sessions that read a help article ÷ "
        "distinct sessions that posted a question. 10 means ten sessions helped themselves "
        "for every one that had to ask. Language filter applies; category does not "
        "(questions are not filed under article categories)."
    ),
    "deflection_rate": _l(
        "Deflection rate: (explicit + implicit deflections) ÷ (deflections + questions posted "
        'from the ask form). Explicit: "Yes, I don\'t need to post". Implicit: a suggestion '
        "was opened and the same session neither posted, answered yes, nor opened another "
        "suggestion within 30 minutes (counted once the 30 minutes have passed). The funnel "
        "counts distinct sessions at each step and the outcomes as events."
    ),
    "fresh_numbers": _l(
        "Today's figures are computed from the raw events with the same definitions as the "
        "nightly roll-ups. Suggestions opened less than 30 minutes ago are shown as pending "
        "until their window closes."
    ),
    "search_volume": _l(
        "Searches from the search page, the instant search box and the API (the ask form's "
        "searches are in the deflection funnel). An as-you-type search counts once, as the "
        "query the visitor settled on."
    ),
    "zero_result_rate": _l(
        "Zero-result rate: searches whose stored result count was 0 ÷ searches. Search "
        "practice aims at %(target)s or less.",
        target="5%",
    ),
    "click_through_rate": _l(
        "Click-through rate: searches with at least one result clicked ÷ searches. Search "
        "practice aims at %(target)s or more.",
        target="60%",
    ),
    "mean_click_position": _l(
        "Mean click position: the average rank (1 = first result) of clicked results."
    ),
    "refined_rate": _l(
        "Refined: searches without a click followed within 5 minutes by a different query from "
        "the same session. Abandoned: searches without a click and no further search within "
        "5 minutes. Both ÷ searches."
    ),
    "articles": _l(
        'Per article: views; helpful % = "yes" votes ÷ all votes; comments left with a '
        '"no"; searches that led to it = clicks on it from search results; last updated. '
        "Language and category filters apply to the article."
    ),
    "forum": _l(
        "Questions: topics started in question categories in the range. Time to first answer: "
        "median hours until the first reply by someone other than the asker. Solved: questions "
        "with an accepted answer ÷ questions. Unanswered after 48 h: questions at least 48 "
        "hours old with no reply from someone else within 48 hours. Language filter applies."
    ),
    "gaps": _l(
        "Content gaps: searches with no result or no click, grouped by the search engine's own "
        "normalization (case, width and script variants, stop words, stems, word order) with "
        "one-letter typos folded together, per language. Count = such searches in the range; "
        "the forum questions are ones the same session posted within an hour."
    ),
}
