"""Cohorts: how a programme's members are doing together, as far as its visibility allows."""

import streamlit as st

from dashboard import auth, charts, data, widgets
from dashboard.i18n import fmt_number, t
from lasna.access import CohortAccess

viewer, lang = auth.page("cohorts")
st.title(t("cohorts.title", lang))
visible = data.cohorts(viewer)
if not visible:
    st.info(t("cohorts.none", lang))
    st.stop()

cohort = st.selectbox(t("cohort.label", lang), list(visible), key="cohort_pick")
visibility = data.cohort_visibility(viewer, cohort)
st.caption(f"{t('visibility.label', lang)}: {t(f'visibility.{visibility}', lang)}")
days = st.select_slider(t("period.label", lang), options=[90, 180, 365], value=180, key="cohort_days")
since, now = data.since_days(days), data.today_end()
overview = data.cohort_overview(viewer, cohort, since, now)
st.metric(t("cohorts.members", lang), fmt_number(overview["members"], lang))
if overview.get("withheld"):  # k-anonymity: too few others for any cohort figure
    st.info(t("cohorts.too_small", lang).format(k=fmt_number(data.cohort_min_others(), lang)))
widgets.chart(charts.cohort_bands(overview["bands"], overview["own"], lang))

status, scored = data.cohort_scores(viewer, cohort)
if status == "ready":
    # the reference group the percentiles were computed in
    reference = (t("reference.all", lang) if data.score_reference() == "all"
                 else t("reference.cohort", lang).format(cohort=cohort))
    if scored["own"] is not None:  # the executive's own scores: the heading says so
        st.subheader(t("cohorts.own_scores", lang))
        st.caption(t("cohorts.own_scores_caption", lang).format(days=data.SCORE_DAYS))
        widgets.composite_metrics(scored["own"], scored["median"], lang)
        if scored["median"] is not None:
            st.caption(t("cohorts.delta_is_median", lang))
    elif scored["median"] is not None:
        st.subheader(t("cohorts.scores", lang))
        st.caption(t("cohorts.scores_caption", lang).format(days=data.SCORE_DAYS, reference=reference))
        widgets.composite_metrics(scored["median"], None, lang)
        st.caption(t("cohorts.median_only", lang))
    if scored["members"] is not None:
        if scored["own"] is not None:
            st.subheader(t("cohorts.scores", lang))
            st.caption(t("cohorts.scores_caption", lang).format(days=data.SCORE_DAYS, reference=reference))
        st.dataframe(
            scored["members"],
            column_config={"leader": t("col.leader", lang)} | {
                name: st.column_config.ProgressColumn(t(f"composite.{name}", lang), min_value=0, max_value=100,
                                                      format="%.0f")
                for name in data.COMPOSITE_COLUMNS
            },
            hide_index=True,
            width="stretch",
            key="cohort_scores",
        )
elif status == "pending":
    st.info(t("scores.pending", lang))

if overview["access"] is CohortAccess.MEMBERS:
    st.subheader(t("cohorts.leaderboard", lang))
    widgets.activity_summary_table(overview["leaderboard"], lang, key="cohort_board")
else:
    st.info(t("cohorts.aggregates_only", lang))
