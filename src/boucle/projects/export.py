"""Export a call's answers for its facilitators: one row per submitted answer, one column per question.

Drafts are left out: a company's draft is its own until it submits.
"""

from boucle import spreadsheets

from . import rules

FIXED = ["answer_id", "company", "status", "submitted_at", "partners", "funding_scheme", "decision_comment"]


def rows(call):
    """Header then one list per answer; plain values only, so CSV and XLSX agree."""
    answers = (call.answers.exclude(status=rules.ANSWER_DRAFT).select_related("company")
               .prefetch_related("partner_companies", "assessments").order_by("company__name", "id"))
    header = FIXED + [f"score_{c}" for c in rules.CRITERIA] + ["score_mean"] + list(call.questions)
    out = [header]
    for answer in answers:
        texts = {s["question"]: s["text"] for s in answer.sections}
        scores = {a.criterion: a.score for a in answer.assessments.all()}
        partners = [c.name for c in answer.partner_companies.all()]
        if answer.partners_text.strip():
            partners.append(answer.partners_text.strip())
        out.append([answer.pk, answer.company.name, answer.status,
                    answer.submitted_at.isoformat(timespec="minutes") if answer.submitted_at else "",
                    "; ".join(partners), answer.funding_scheme, answer.decision_comment]
                   + [scores.get(c, "") for c in rules.CRITERIA]
                   + [rules.mean_score(scores.get(c) for c in rules.CRITERIA) or ""]
                   + [texts.get(q, "") for q in call.questions])
    return out


def to_csv(table) -> bytes:
    return ("\ufeff" + spreadsheets.csv_text(table, delimiter=";")).encode("utf-8")


def to_xlsx(table) -> bytes:
    return spreadsheets.xlsx_bytes([("answers", table)])
