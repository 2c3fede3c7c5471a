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
st.plotly_chart(charts.cohort_bands(overview["bands"], overview["own"], lang), width="stretch")

status, scored = data.cohort_scores(viewer, cohort)
if status == "ready":
    st.subheader(t("cohorts.scores", lang))
    from lasna import settings as _settings

    _ref = _settings.get("score_reference")  # the reference group the percentiles were computed in
    _ref_name = t("reference.all", lang) if _ref == "all" else t("reference.cohort", lang).format(cohort=cohort)
    st.caption(t("cohorts.scores_caption", lang).format(days=data.SCORE_DAYS, reference=_ref_name))
    if scored["own"] is not None:
        widgets.composite_metrics(scored["own"], scored["median"], lang)
        st.caption(t("cohorts.delta_is_median", lang))
    else:
        widgets.composite_metrics(scored["median"], None, lang)
        st.caption(t("cohorts.median_only", lang))
    if scored["members"] is not None:
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
