"""Strings of the retention, driver and churn-risk pages (understand/retention.py,
drivers.py, churn_risk.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "nav.retention": {"en": "Retention", "ru": "Удержание"},
    "nav.drivers": {"en": "Drivers", "ru": "Драйверы"},
    "nav.churn": {"en": "Churn risk", "ru": "Риск оттока"},
    "retention.title": {"en": "Retention and churn", "ru": "Удержание и отток"},
    "retention.subtitle": {
        "en": "Customers by acquisition and departure dates",
        "ru": "Клиенты по датам привлечения и ухода",
    },
    "retention.period_label": {"en": "Period", "ru": "Период"},
    "retention.by_month": {"en": "Months", "ru": "Месяцы"},
    "retention.by_quarter": {"en": "Quarters", "ru": "Кварталы"},
    "retention.by_period": {"en": "Retention by period", "ru": "Удержание по периодам"},
    "retention.period": {"en": "Period", "ru": "Период"},
    "retention.s_title": {"en": "Customers at the start", "ru": "Клиентов на начало"},
    "retention.n_title": {"en": "New during the period", "ru": "Новых за период"},
    "retention.e_title": {"en": "Customers at the end", "ru": "Клиентов на конец"},
    "retention.lost": {"en": "Lost", "ru": "Ушли"},
    "retention.rate": {"en": "Retention", "ru": "Удержание"},
    "retention.churn": {"en": "Churn", "ru": "Отток"},
    "retention.formula": {
        "en": "Retention = (E − N) / S × 100; churn = customers of S lost during the period / S, "
        "with a 95% Wilson interval. The current period is left out until it ends.",
        "ru": "Удержание = (E − N) / S × 100; отток = ушедшие за период клиенты из S / S, "
        "с 95% интервалом Уилсона. Текущий период появится, когда закончится.",
    },
    "retention.cohorts": {
        "en": "Cohorts by acquisition month",
        "ru": "Когорты по месяцу привлечения",
    },
    "retention.cohort": {"en": "Cohort", "ru": "Когорта"},
    "retention.customers": {"en": "Customers", "ru": "Клиенты"},
    "retention.cohort_note": {
        "en": "Columns: months since acquisition; a cell is the % of the cohort still active at "
        "the end of that month. Blank cells have not happened yet. NPS: all answers of the cohort.",
        "ru": "Столбцы — месяцы после привлечения; в ячейке — % когорты, оставшийся к концу "
        "месяца. Пустые ячейки ещё не наступили. NPS — по всем ответам когорты.",
    },
    "retention.by_nps": {
        "en": "Churn by NPS category (latest answer)",
        "ru": "Отток по категории NPS (последний ответ)",
    },
    "retention.category": {"en": "Category", "ru": "Категория"},
    "retention.left": {"en": "Left", "ru": "Ушли"},
    "retention.verdict_sig": {
        "en": "Detractors leave more often than promoters by {diff} points (95% CI {low} … "
        "{high}, p {p}) — {ratio}× as often.",
        "ru": "Критики уходят чаще промоутеров на {diff} п.п. (95% ДИ {low} … {high}, "
        "p {p}) — в {ratio} раза чаще.",
    },
    "retention.verdict_ns": {
        "en": "No significant difference between detractors and promoters ({diff} points, p {p}).",
        "ru": "Значимой разницы между критиками и промоутерами нет ({diff} п.п., p {p}).",
    },
    "retention.no_test": {
        "en": "Too few detractors or promoters (fewer than {min_n}) to compare.",
        "ru": "Слишком мало критиков или промоутеров (меньше {min_n}) для сравнения.",
    },
    "drivers.title": {"en": "Key drivers", "ru": "Ключевые драйверы"},
    "drivers.subtitle": {
        "en": "{n} responses over the last {days} days",
        "ru": "{n} ответов за последние {days} дн.",
    },
    "drivers.outcome": {"en": "Outcome", "ru": "Показатель"},
    "drivers.outcome_nps": {"en": "NPS score", "ru": "Оценка NPS"},
    "drivers.outcome_promoter": {"en": "Promoter", "ru": "Промоутер"},
    "drivers.outcome_csat": {"en": "CSAT", "ru": "CSAT"},
    "drivers.reason_not_enough_responses": {
        "en": "Not enough responses for a driver analysis: {n} (need at least 100 and {min_n}).",
        "ru": "Мало ответов для анализа драйверов: {n} (нужно не меньше 100 и {min_n}).",
    },
    "drivers.reason_no_variation": {
        "en": "Every response has the same score: nothing to explain.",
        "ru": "Все оценки одинаковы — объяснять нечего.",
    },
    "drivers.reason_no_candidate_drivers": {
        "en": "No answers, touchpoints or attributes with at least {min_n} responses to test.",
        "ru": "Нет ответов, точек контакта или атрибутов хотя бы с {min_n} ответами.",
    },
    "drivers.chart": {"en": "What drives the score", "ru": "Что определяет оценку"},
    "drivers.r2": {
        "en": "Together these explain {r2}% of the variation in the score; bars are their shares "
        "(green raises it, red lowers it).",
        "ru": "Вместе они объясняют {r2}% разброса оценки; полосы — их доли "
        "(зелёные повышают, красные понижают).",
    },
    "drivers.quadrant": {"en": "Impact × performance", "ru": "Влияние × результат"},
    "drivers.quadrant_desc": {
        "en": "Each driver by its importance (right = more) and current score (up = better).",
        "ru": "Каждый драйвер по важности (правее — важнее) и текущей оценке (выше — лучше).",
    },
    "drivers.quadrant_note": {
        "en": "Lines: average importance and the overall score. Bottom right — act here first.",
        "ru": "Линии — средняя важность и общая оценка. Правый нижний угол — действовать в "
        "первую очередь.",
    },
    "drivers.importance": {"en": "Importance, % of R²", "ru": "Важность, % R²"},
    "drivers.performance_nps": {"en": "NPS", "ru": "NPS"},
    "drivers.performance_csat_top2": {"en": "CSAT top-2, %", "ru": "CSAT top-2, %"},
    "drivers.q_priority": {"en": "Fix first", "ru": "Исправить в первую очередь"},
    "drivers.q_strength": {"en": "Strength", "ru": "Сильная сторона"},
    "drivers.q_overkill": {"en": "Maintain", "ru": "Поддерживать"},
    "drivers.q_low_priority": {"en": "Low priority", "ru": "Низкий приоритет"},
    "drivers.table": {"en": "All drivers", "ru": "Все драйверы"},
    "drivers.driver": {"en": "Driver", "ru": "Драйвер"},
    "drivers.source": {"en": "Source", "ru": "Источник"},
    "drivers.share": {"en": "Share", "ru": "Доля"},
    "drivers.quadrant_col": {"en": "Quadrant", "ru": "Квадрант"},
    "drivers.source_answer": {"en": "answer", "ru": "ответ"},
    "drivers.source_touchpoint": {"en": "touchpoint", "ru": "точка контакта"},
    "drivers.source_segment": {"en": "segment", "ru": "сегмент"},
    "drivers.source_customer": {"en": "customer", "ru": "клиент"},
    "drivers.source_response": {"en": "response", "ru": "ответ: атрибут"},
    "drivers.source_extra": {"en": "theme", "ru": "тема"},
    "drivers.method_note": {
        "en": "Johnson's relative weights: shares of explained variance (R²) that add up to "
        "100%, signed by the direction of the effect. Choices are compared with their most "
        "common answer; performance is the score among the responses a driver applies to.",
        "ru": "Относительные веса Джонсона: доли объяснённой дисперсии (R²), в сумме 100%, "
        "со знаком направления влияния. Варианты ответа сравниваются с самым частым; результат "
        "— оценка среди ответов, к которым относится драйвер.",
    },
    "churn.title": {"en": "Churn risk", "ru": "Риск оттока"},
    "churn.subtitle": {
        "en": "Who may leave in the next {days} days, and why",
        "ru": "Кто может уйти в ближайшие {days} дн. и почему",
    },
    "churn.horizon": {"en": "Horizon", "ru": "Горизонт"},
    "churn.training": {
        "en": "The churn model is being trained on the latest data; refresh in a minute.",
        "ru": "Модель оттока обучается на свежих данных; обновите страницу через минуту.",
    },
    "churn.stale": {
        "en": "Shown: the model as of {as_of} UTC; a model on the latest data is being trained, "
        "refresh in a minute.",
        "ru": "Показана модель на {as_of} UTC; модель на свежих данных обучается, обновите "
        "страницу через минуту.",
    },
    "churn.not_enough": {
        "en": "Not enough churners to learn from: the model needs at least {min} customers who "
        "left in a {days}-day window (found {train} and {test}). No risk list is shown rather "
        "than a guess.",
        "ru": "Слишком мало ушедших клиентов для обучения: нужно не меньше {min} ушедших за "
        "{days} дн. (найдено {train} и {test}). Список риска не показываем, чтобы не гадать.",
    },
    "churn.quality": {"en": "Model quality", "ru": "Качество модели"},
    "churn.auc_model": {"en": "AUC, feedback + lifecycle", "ru": "AUC, отзывы + жизненный цикл"},
    "churn.auc_baseline": {
        "en": "AUC, lifecycle only (baseline)",
        "ru": "AUC, только жизненный цикл (база)",
    },
    "churn.data": {"en": "Data", "ru": "Данные"},
    "churn.windows": {
        "en": "Trained on {train} customers ({train_churners} left), tested on {test} "
        "({test_churners} left)",
        "ru": "Обучено на {train} клиентах (ушли {train_churners}), проверено на {test} "
        "(ушли {test_churners})",
    },
    "churn.active": {"en": "{n} active customers scored", "ru": "Оценено активных клиентов: {n}"},
    "churn.method": {
        "en": "Logistic regression on the installation's own customers; AUC on a later, held-out "
        "period (0.5 = a coin toss). Reasons: the factors that raise a customer's risk most.",
        "ru": "Логистическая регрессия на собственных клиентах; AUC — на более позднем, "
        "отложенном периоде (0,5 — как монетка). Причины — факторы, сильнее всего повышающие риск.",
    },
    "churn.at_risk": {"en": "Customers at risk", "ru": "Клиенты в зоне риска"},
    "churn.customer": {"en": "Customer", "ru": "Клиент"},
    "churn.segment": {"en": "Segment", "ru": "Сегмент"},
    "churn.risk": {"en": "Risk", "ru": "Риск"},
    "churn.last_nps": {"en": "Last NPS", "ru": "Последний NPS"},
    "churn.reasons": {"en": "Reasons", "ru": "Причины"},
    "churn.factor_last_nps": {
        "en": "last NPS answer: {value}",
        "ru": "последняя оценка NPS: {value}",
    },
    "churn.factor_nps_trend": {"en": "NPS changed by {value}", "ru": "NPS изменился на {value}"},
    "churn.factor_detractor_answers": {
        "en": "detractor answers: {value}",
        "ru": "оценок критика: {value}",
    },
    "churn.factor_last_ces": {
        "en": "last effort score: {value}",
        "ru": "последняя оценка усилий: {value}",
    },
    "churn.factor_days_since_response": {
        "en": "days since last response: {value}",
        "ru": "дней с последнего ответа: {value}",
    },
    "churn.factor_responses": {"en": "responses: {value}", "ru": "ответов: {value}"},
    "churn.factor_tenure": {"en": "customer for {value} days", "ru": "клиент {value} дн."},
    "churn.factor_segment": {"en": "segment {value}", "ru": "сегмент {value}"},
}
