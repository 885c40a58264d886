"""/insights/voice: NPS, CSAT, verbatims and what promoters and detractors did (staff)."""

from __future__ import annotations

from flask import request

from app.accounts.guards import role_required
from app.insights import voice
from app.insights.views import PRODUCT_ROLES, bp, current_filters, render_page


@bp.get("/voice")
@role_required(*PRODUCT_ROLES)
def voice_dashboard():
    filters, error = current_filters()
    score = request.args.get("score") or None
    if score not in (None, *voice.SCORE_FILTERS):
        score = None
    context = {} if error else voice.voice_dashboard(filters, score)
    return render_page("insights/voice.html", error, filters=filters, score=score, **context)
