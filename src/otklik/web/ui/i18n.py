"""UI strings in Russian and English, and how a request's language is chosen.

Order: ``?lang=`` (and remembered in a cookie) → cookie → the user's setting →
``Accept-Language`` → Russian.
"""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

MESSAGES: dict[str, dict[str, str]] = {
    "app.tagline": {"en": "Customer experience, measured", "ru": "Клиентский опыт в цифрах"},
    "nav.home": {"en": "Overview", "ru": "Обзор"},
    "nav.logout": {"en": "Log out", "ru": "Выйти"},
    "nav.api_docs": {"en": "API", "ru": "API"},
    # Journey map (understand/journey.py, web/ui/journeys*.py).
    "nav.journeys": {"en": "Journeys", "ru": "Пути клиента"},
    "jm.title": {"en": "Journey map", "ru": "Карта пути клиента"},
    "jm.journeys": {"en": "Customer journeys", "ru": "Пути клиента"},
    "jm.vs": {"en": "vs", "ru": "против"},
    "jm.compare_periods": {"en": "Compare two periods", "ru": "Сравнить два периода"},
    "jm.from": {"en": "From", "ru": "С"},
    "jm.to": {"en": "To (incl.)", "ru": "По (вкл.)"},
    "jm.compare_from": {"en": "Compare from", "ru": "Сравнить с"},
    "jm.compare_to": {"en": "Compare to", "ru": "Сравнить по"},
    "jm.edit": {"en": "Edit the map", "ru": "Редактировать карту"},
    "jm.map": {"en": "The map", "ru": "Карта"},
    "jm.stage": {"en": "Stage", "ru": "Этап"},
    "jm.emotion": {"en": "Emotion curve", "ru": "Кривая эмоций"},
    "jm.emotion_scale": {"en": "−2 … +2, 95% CI band", "ru": "−2 … +2, полоса 95% ДИ"},
    "jm.voice": {"en": "What customers say", "ru": "Что говорят клиенты"},
    "jm.backstage": {"en": "Backstage", "ru": "Закулисье"},
    "jm.pain_points": {"en": "Where customers suffer most", "ru": "Где клиентам хуже всего"},
    "jm.impact": {"en": "impact", "ru": "влияние"},
    "jm.pain_method": {
        "en": "Impact = driver weight (share of NPS variance the touchpoint explains, where it "
        "pulls NPS down) × share of unhappy customers (detractors) × volume (responses).",
        "ru": "Влияние = вес драйвера (доля разброса NPS, которую объясняет точка, если она "
        "тянет NPS вниз) × доля недовольных (критиков) × объём (ответов).",
    },
    "jm.weight_help": {"en": "Driver weight", "ru": "Вес драйвера"},
    "jm.unhappy_help": {"en": "{d} detractors of {n} NPS answers", "ru": "{d} критиков из {n}"},
    "jm.volume_help": {"en": "Responses in the period", "ru": "Ответов за период"},
    "jm.no_pain": {
        "en": "No touchpoint pulls NPS down with enough answers in this period.",
        "ru": "Ни одна точка с достаточным числом ответов не тянет NPS вниз.",
    },
    "jm.not_ranked": {"en": "Not ranked ({n})", "ru": "Не ранжированы ({n})"},
    "jm.reason.not_enough_data": {"en": "not enough NPS answers", "ru": "мало ответов NPS"},
    "jm.reason.lifts_nps": {"en": "lifts NPS", "ru": "поднимает NPS"},
    "jm.reason.no_unhappy": {"en": "no unhappy customers", "ru": "нет недовольных"},
    "jm.reason.no_driver_weight": {"en": "no driver weight", "ru": "нет веса драйвера"},
    "jm.reason.driver_reference_or_rare": {
        "en": "reference of the driver model (the most common touchpoint) or too rare",
        "ru": "база модели драйверов (самая частая точка) или слишком редкая",
    },
    "jm.pain_rank": {"en": "Pain point #{rank}", "ru": "Проблема №{rank}"},
    "jm.no_answers": {"en": "no answers in the period", "ru": "нет ответов за период"},
    "jm.target": {"en": "target", "ru": "цель"},
    "jm.gap": {"en": "gap", "ru": "разрыв"},
    "jm.no_compare": {"en": "no comparison", "ru": "нет сравнения"},
    "jm.change_title": {"en": "Change {d}, q = {q}", "ru": "Изменение {d}, q = {q}"},
    "jm.mostly_unhappy": {"en": "mostly unhappy", "ru": "в основном недовольные"},
    "jm.no_comments": {"en": "No comments in the period.", "ru": "Нет комментариев за период."},
    "jm.legend": {
        "en": "Values with their 95% CI; ▲▼ significant change vs the comparison period "
        "(q < 0.05), ↗↘ not significant; below {min_n} answers the value is withheld.",
        "ru": "Значения с 95% ДИ; ▲▼ значимое изменение к периоду сравнения (q < 0,05), ↗↘ "
        "незначимое; меньше {min_n} ответов — значение не показывается.",
    },
    "jm.text_source.keywords": {
        "en": "Themes: keyword matches in the newest comments (no text analysis stored yet); "
        "quotes are redacted.",
        "ru": "Темы: совпадения ключевых слов в свежих комментариях (текстовый анализ ещё не "
        "сохранён); цитаты обезличены.",
    },
    "jm.text_source.analysis": {
        "en": "Themes and redacted quotes from the text analysis of comments.",
        "ru": "Темы и обезличенные цитаты — из текстового анализа комментариев.",
    },
    "jm.comment_explorer": {"en": "Open the comment explorer", "ru": "Открыть комментарии"},
    "jm.opportunities": {"en": "Opportunities", "ru": "Возможности улучшения"},
    "jm.opportunity": {"en": "Idea", "ru": "Идея"},
    "jm.owner": {"en": "Owner", "ru": "Ответственный"},
    "jm.status": {"en": "Status", "ru": "Статус"},
    "jm.status.idea": {"en": "Idea", "ru": "Идея"},
    "jm.status.planned": {"en": "Planned", "ru": "Запланировано"},
    "jm.status.in_progress": {"en": "In progress", "ru": "В работе"},
    "jm.status.done": {"en": "Done", "ru": "Сделано"},
    "jm.status.dropped": {"en": "Dropped", "ru": "Отклонено"},
    "jm.no_opportunities": {"en": "No improvement ideas yet.", "ru": "Идей улучшения пока нет."},
    "jm.as_is_to_be": {"en": "As-is vs to-be", "ru": "Как есть и как должно быть"},
    "jm.metric": {"en": "Metric", "ru": "Метрика"},
    "jm.as_is": {"en": "As-is", "ru": "Сейчас"},
    "jm.to_be": {"en": "Target", "ru": "Цель"},
    "jm.no_targets": {"en": "No targets set.", "ru": "Цели не заданы."},
    "jm.none": {"en": "No journeys yet.", "ru": "Путей клиента пока нет."},
    "jm.stages_n": {
        "en": "{stages} stages, {tps} touchpoints",
        "ru": "Этапов: {stages}, точек: {tps}",
    },
    "jm.open_map": {"en": "Open the map", "ru": "Открыть карту"},
    "jm.new": {"en": "New journey", "ru": "Новый путь"},
    "jm.import": {"en": "Import a journey (JSON or YAML)", "ru": "Импорт пути (JSON или YAML)"},
    "jm.file": {"en": "File", "ru": "Файл"},
    "jm.slug": {"en": "Slug (URL name)", "ru": "Код (для адреса)"},
    "jm.name": {"en": "Name", "ru": "Название"},
    "jm.name_ru": {"en": "Name (RU)", "ru": "Название (RU)"},
    "jm.name_en": {"en": "Name (EN)", "ru": "Название (EN)"},
    "jm.description": {"en": "Description", "ru": "Описание"},
    "jm.description_ru": {"en": "Description (RU)", "ru": "Описание (RU)"},
    "jm.description_en": {"en": "Description (EN)", "ru": "Описание (EN)"},
    "jm.save": {"en": "Save", "ru": "Сохранить"},
    "jm.add": {"en": "Add", "ru": "Добавить"},
    "jm.up": {"en": "Move up", "ru": "Выше"},
    "jm.down": {"en": "Move down", "ru": "Ниже"},
    "jm.delete": {"en": "Delete", "ru": "Удалить"},
    "jm.remove": {"en": "Take off the map", "ru": "Убрать с карты"},
    "jm.personas": {"en": "Personas", "ru": "Персоны"},
    "jm.add_stage": {"en": "Add a stage", "ru": "Добавить этап"},
    "jm.add_touchpoint": {"en": "Add a touchpoint", "ru": "Добавить точку контакта"},
    "jm.add_persona": {"en": "Add a persona", "ru": "Добавить персону"},
    "jm.add_opportunity": {"en": "Add an opportunity", "ru": "Добавить возможность"},
    "jm.code": {"en": "Code", "ru": "Код"},
    "jm.channel": {"en": "Channel", "ru": "Канал"},
    "jm.unit": {"en": "Unit", "ru": "Подразделение"},
    "jm.backstage_text": {"en": "Backstage process", "ru": "Внутренний процесс"},
    "jm.targets": {"en": "Targets: NPS, CSAT %, CES", "ru": "Цели: NPS, CSAT %, CES"},
    "jm.move_to_stage": {"en": "Stage", "ru": "Этап"},
    "jm.export": {"en": "Export", "ru": "Экспорт"},
    "jm.delete_journey": {"en": "Delete this journey", "ru": "Удалить этот путь"},
    "jm.responses": {"en": "Responses", "ru": "Ответы"},
    "jm.only_unhappy": {"en": "Only unhappy", "ru": "Только недовольные"},
    "jm.only_comments": {"en": "Only with a comment", "ru": "Только с комментарием"},
    "jm.back_to_map": {"en": "Back to the map", "ru": "Назад к карте"},
    "jm.trend": {"en": "NPS by month", "ru": "NPS по месяцам"},
    "jm.submitted": {"en": "Submitted (UTC)", "ru": "Дата (UTC)"},
    "jm.comment": {"en": "Comment (redacted)", "ru": "Комментарий (обезличен)"},
    "jm.page": {"en": "Page {page} of {pages}", "ru": "Стр. {page} из {pages}"},
    "jm.prev": {"en": "Newer", "ru": "Новее"},
    "jm.next": {"en": "Older", "ru": "Старее"},
    # Invitations, fatigue, results, my data, unsubscribe (listen/invitations.py & co).
    "nav.invitations": {"en": "Invitations", "ru": "Приглашения"},
    "inv.title": {"en": "Invitations", "ru": "Приглашения"},
    "inv.by_status": {"en": "By status", "ru": "По статусам"},
    "inv.none": {"en": "No invitations yet.", "ru": "Приглашений пока нет."},
    "inv.status": {"en": "Status", "ru": "Статус"},
    "inv.count": {"en": "Count", "ru": "Количество"},
    "inv.status.queued": {"en": "Queued", "ru": "В очереди"},
    "inv.status.sent": {"en": "Sent", "ru": "Отправлено"},
    "inv.status.responded": {"en": "Responded", "ru": "Ответили"},
    "inv.status.bounced": {"en": "Bounced", "ru": "Не доставлено"},
    "inv.status.failed": {"en": "Failed", "ru": "Ошибка отправки"},
    "inv.status.suppressed": {"en": "Suppressed", "ru": "Не отправлено (правила)"},
    "inv.suppressed_by_reason": {
        "en": "Suppressed, by the rule that stopped them",
        "ru": "Не отправлены — по правилу, которое остановило",
    },
    "inv.no_suppressed": {"en": "Nothing suppressed.", "ru": "Ничего не остановлено."},
    "inv.reason": {"en": "Rule", "ru": "Правило"},
    "inv.upload": {"en": "Invite a list of contacts", "ru": "Пригласить список контактов"},
    "inv.upload_help": {
        "en": "CSV with the columns email, name, language (ru/en), external_id and optionally "
        "timezone. Each contact passes the contact-fatigue rules; mail goes out from the worker.",
        "ru": "CSV со столбцами email, name, language (ru/en), external_id и, по желанию, "
        "timezone. Каждый контакт проходит правила частоты опросов; письма отправляет обработчик.",
    },
    "inv.file": {"en": "Contacts file (CSV)", "ru": "Файл контактов (CSV)"},
    "inv.dry_run": {"en": "Check only, invite nobody", "ru": "Только проверить, не приглашать"},
    "inv.send": {"en": "Invite", "ru": "Пригласить"},
    "inv.reminder_days": {
        "en": "Reminder after (days; 0 = none; empty = default)",
        "ru": "Напоминание через (дней; 0 — без; пусто — по умолчанию)",
    },
    "inv.recent": {"en": "Latest invitations", "ru": "Последние приглашения"},
    "inv.contact": {"en": "Contact", "ru": "Контакт"},
    "inv.channel": {"en": "Channel", "ru": "Канал"},
    "inv.created": {"en": "Created (UTC)", "ru": "Создано (UTC)"},
    "reason.unsubscribed": {"en": "Unsubscribed", "ru": "Отписался"},
    "reason.no_consent": {"en": "No consent", "ru": "Нет согласия"},
    "reason.no_address": {"en": "No email address", "ru": "Нет адреса почты"},
    "reason.sampled_out": {"en": "Not in the sample", "ru": "Не попал в выборку"},
    "reason.recent_response": {"en": "Answered recently", "ru": "Недавно отвечал"},
    "reason.recent_no_answer": {
        "en": "Did not answer a recent invitation",
        "ru": "Не ответил на недавнее приглашение",
    },
    "reason.recent_invitation": {"en": "Invited recently", "ru": "Недавно приглашали"},
    "reason.quarterly_cap": {"en": "Quarterly cap reached", "ru": "Исчерпан лимит на квартал"},
    "reason.survey_closed": {"en": "Survey closed", "ru": "Опрос закрыт"},
    "reason.unknown": {"en": "Unknown", "ru": "Неизвестно"},
    "fatigue.global": {"en": "Contact-fatigue rules", "ru": "Правила частоты опросов"},
    "fatigue.global_help": {
        "en": "How often one customer may be asked, for every survey. A survey can override "
        "any rule on its invitations page. Quiet hours delay mail to their end in the "
        "customer's time zone.",
        "ru": "Как часто можно спрашивать одного клиента — для всех опросов. Опрос может "
        "изменить любое правило на своей странице приглашений. В тихие часы письмо ждёт их "
        "окончания по времени клиента.",
    },
    "fatigue.survey_rules": {"en": "This survey's rules", "ru": "Правила этого опроса"},
    "fatigue.survey_help": {
        "en": "Empty fields use the global rules (shown greyed).",
        "ru": "Пустые поля берутся из общих правил (показаны серым).",
    },
    "fatigue.min_days_between": {
        "en": "At most one invitation per (days)",
        "ru": "Не чаще одного приглашения в (дней)",
    },
    "fatigue.resurvey_after_response_days": {
        "en": "Ask again after a response (days)",
        "ru": "Повторно после ответа через (дней)",
    },
    "fatigue.resurvey_after_no_answer_days": {
        "en": "Ask again after no answer (days)",
        "ru": "Повторно после неответа через (дней)",
    },
    "fatigue.quarterly_cap": {
        "en": "Invitations per quarter (0 = no cap)",
        "ru": "Приглашений в квартал (0 — без лимита)",
    },
    "fatigue.sampling_percent": {"en": "Sample (% of customers)", "ru": "Выборка (% клиентов)"},
    "fatigue.quiet_start": {"en": "Quiet hours from", "ru": "Тихие часы с"},
    "fatigue.quiet_end": {"en": "Quiet hours until", "ru": "Тихие часы до"},
    "fatigue.default_timezone": {
        "en": "Time zone when the customer's is unknown",
        "ru": "Часовой пояс, если пояс клиента неизвестен",
    },
    "fatigue.require_consent": {
        "en": "Email only customers who gave consent",
        "ru": "Писать только давшим согласие",
    },
    "results.title": {"en": "Results", "ru": "Результаты"},
    "results.response_rate": {"en": "Response rate", "ru": "Доля ответов"},
    "results.rr1_help": {
        "en": "RR1 = completes ÷ delivered invitations (AAPOR). Suppressed, bounced, failed "
        "and queued invitations are not delivered.",
        "ru": "RR1 = ответы ÷ доставленные приглашения (AAPOR). Остановленные правилами, "
        "недоставленные, ошибочные и ждущие в очереди не считаются доставленными.",
    },
    "results.survey": {"en": "Survey", "ru": "Опрос"},
    "results.delivered": {"en": "Delivered", "ru": "Доставлено"},
    "results.completes": {"en": "Completes", "ru": "Ответы"},
    "results.by_channel": {"en": "By channel", "ru": "По каналам"},
    "results.by_touchpoint": {"en": "By touchpoint", "ru": "По точкам контакта"},
    "results.time": {"en": "Time to complete", "ru": "Время заполнения"},
    "results.median": {"en": "Median", "ru": "Медиана"},
    "results.quartiles": {"en": "quartiles", "ru": "квартили"},
    "results.sec": {"en": "s", "ru": "с"},
    "results.min": {"en": "min", "ru": "мин"},
    "results.time_help": {
        "en": "From the first view of the survey page to sending the answers.",
        "ru": "От первого открытия страницы опроса до отправки ответов.",
    },
    "results.dropoff": {"en": "Drop-off by question", "ru": "Где бросают опрос"},
    "results.started": {"en": "Started", "ru": "Начали"},
    "results.completed": {"en": "Completed", "ru": "Завершили"},
    "results.abandoned": {"en": "Abandoned", "ru": "Бросили"},
    "results.at_submit": {"en": "before sending", "ru": "перед отправкой"},
    "results.in_progress": {"en": "In progress", "ru": "Заполняют сейчас"},
    "results.question": {"en": "Question", "ru": "Вопрос"},
    "results.reached": {"en": "Reached", "ru": "Дошли"},
    "results.answered": {"en": "Answered", "ru": "Ответили"},
    "results.left_here": {"en": "Left here", "ru": "Ушли здесь"},
    "results.drop_rate": {"en": "Drop-off", "ru": "Отсев"},
    "results.dropoff_help": {
        "en": "From partial answers kept by the survey page; a draft idle for 30 minutes "
        "counts as abandoned at its current question.",
        "ru": "По сохранённым частичным ответам; черновик без изменений 30 минут считается "
        "брошенным на текущем вопросе.",
    },
    "mydata.title": {"en": "Your answers", "ru": "Ваши ответы"},
    "mydata.intro": {
        "en": "We keep {n} response(s) from you. You can erase them all here.",
        "ru": "У нас хранится ответов от вас: {n}. Здесь их можно удалить.",
    },
    "mydata.none": {"en": "We keep no answers from you.", "ru": "Ваших ответов у нас нет."},
    "mydata.erase": {"en": "Erase my answers", "ru": "Удалить мои ответы"},
    "mydata.erase_help": {
        "en": "Erasing cannot be undone. Your unsubscribe choice is kept.",
        "ru": "Удаление необратимо. Ваш отказ от рассылки сохранится.",
    },
    "mydata.erased_title": {"en": "Answers erased", "ru": "Ответы удалены"},
    "mydata.erased": {
        "en": "We erased {n} response(s). They no longer appear anywhere in our reports.",
        "ru": "Удалено ответов: {n}. Они больше не участвуют в наших отчётах.",
    },
    "mydata.invalid_title": {"en": "This link is not valid", "ru": "Ссылка недействительна"},
    "mydata.invalid": {
        "en": "The link is damaged or has expired. Use the link from a recent email.",
        "ru": "Ссылка повреждена или устарела. Воспользуйтесь ссылкой из недавнего письма.",
    },
    "mydata.form_expired_title": {"en": "The page expired", "ru": "Страница устарела"},
    "mydata.form_expired": {
        "en": "Nothing was erased. Open the link from the email again and retry.",
        "ru": "Ничего не удалено. Откройте ссылку из письма ещё раз и повторите.",
    },
    "unsub.title": {"en": "Unsubscribe from surveys", "ru": "Отписаться от опросов"},
    "unsub.confirm": {
        "en": "We will no longer invite you to our surveys by email.",
        "ru": "Мы больше не будем приглашать вас в опросы по почте.",
    },
    "unsub.button": {"en": "Unsubscribe", "ru": "Отписаться"},
    "unsub.done_title": {"en": "You are unsubscribed", "ru": "Вы отписались"},
    "unsub.done": {
        "en": "You will not receive survey invitations from us any more.",
        "ru": "Вы больше не будете получать от нас приглашения в опросы.",
    },
    "unsub.invalid_title": {"en": "This link is not valid", "ru": "Ссылка недействительна"},
    "unsub.invalid": {
        "en": "The unsubscribe link is damaged. Use the link from the email as it is.",
        "ru": "Ссылка для отписки повреждена. Откройте её из письма без изменений.",
    },
    # Retention, drivers, churn risk (understand/retention.py, drivers.py, churn_risk.py).
    "nav.retention": {"en": "Retention", "ru": "Удержание"},
    "nav.drivers": {"en": "Drivers", "ru": "Драйверы"},
    "nav.churn": {"en": "Churn risk", "ru": "Риск оттока"},
    "nav.comments": {"en": "Comments", "ru": "Комментарии"},
    "comments.title": {"en": "Customer comments", "ru": "Комментарии клиентов"},
    "comments.explorer": {"en": "Explorer", "ru": "Обзор"},
    "comments.themes": {"en": "Themes", "ru": "Темы"},
    "comments.taxonomy": {"en": "Taxonomy", "ru": "Таксономия"},
    "comments.theme": {"en": "Theme", "ru": "Тема"},
    "comments.sentiment": {"en": "Sentiment", "ru": "Тональность"},
    "comments.touchpoint": {"en": "Touchpoint", "ru": "Точка контакта"},
    "comments.language": {"en": "Language", "ru": "Язык"},
    "comments.since": {"en": "From", "ru": "С"},
    "comments.until": {"en": "To", "ru": "По"},
    "comments.search": {"en": "Text contains", "ru": "Текст содержит"},
    "comments.apply": {"en": "Apply", "ru": "Применить"},
    "comments.any": {"en": "any", "ru": "любая"},
    "comments.found": {"en": "{n} comments", "ru": "Комментариев: {n}"},
    "comments.date": {"en": "Date", "ru": "Дата"},
    "comments.text": {
        "en": "Comment (personal data removed)",
        "ru": "Комментарий (без персональных данных)",
    },
    "comments.none": {"en": "Nothing here yet.", "ru": "Пока ничего нет."},
    "comments.prev": {"en": "Previous", "ru": "Назад"},
    "comments.next": {"en": "Next", "ru": "Дальше"},
    "comments.correct": {"en": "Correct", "ru": "Исправить"},
    "comments.corrected": {"en": "Corrected by an analyst", "ru": "Исправлено аналитиком"},
    "comments.save": {"en": "Save", "ru": "Сохранить"},
    "comments.trend": {
        "en": "Share of comments by theme, per month",
        "ru": "Доля комментариев по темам, по месяцам",
    },
    "comments.share_of": {"en": "of {total} comments", "ru": "из {total} комментариев"},
    "comments.all_comments": {"en": "All analysed comments", "ru": "Все проанализированные"},
    "comments.heatmap": {"en": "Themes × touchpoints", "ru": "Темы × точки контакта"},
    "comments.heatmap_help": {
        "en": "Mentions and share negative; red = mostly negative.",
        "ru": "Упоминания и доля негативных; красный — в основном негатив.",
    },
    "comments.discovered": {"en": "New themes found", "ru": "Найденные новые темы"},
    "comments.discovered_help": {
        "en": "Groups of comments that match no theme; add a useful one to the taxonomy.",
        "ru": "Группы комментариев вне тем; полезную группу можно добавить в таксономию.",
    },
    "comments.discover": {"en": "Find new themes", "ru": "Найти новые темы"},
    "comments.promote": {"en": "Add to taxonomy", "ru": "Добавить в таксономию"},
    "comments.keywords": {
        "en": "Keywords (RU/EN, comma-separated)",
        "ru": "Ключевые слова (RU/EN, через запятую)",
    },
    "comments.active": {"en": "Active", "ru": "Активна"},
    "comments.add_theme": {"en": "Add a theme", "ru": "Добавить тему"},
    "comments.taxonomy_help": {
        "en": "Keywords match any word form; changes apply at the next analysis run.",
        "ru": (
            "Ключевые слова находятся в любой форме; изменения применяются при следующем анализе."
        ),
    },
    "comments.segment": {"en": "Segment", "ru": "Сегмент"},
    "comments.attribute": {"en": "Customer attribute", "ru": "Атрибут клиента"},
    "comments.trend_all": {
        "en": "All mentions, % of comments",
        "ru": "Все упоминания, % комментариев",
    },
    "comments.trend_net": {
        "en": "Net sentiment of mentions: % positive − % negative",
        "ru": "Баланс тональности упоминаний: % позитивных − % негативных",
    },
    "comments.trend_cells": {
        "en": "Cells: mentions and their net sentiment (from 3 mentions a month).",
        "ru": "В ячейках: упоминания и баланс их тональности (от 3 упоминаний в месяц).",
    },
    "comments.missing_defaults": {
        "en": "New default themes are available:",
        "ru": "Доступны новые стандартные темы:",
    },
    "comments.add_defaults": {
        "en": "Add them (comments are re-labelled at the next analysis run)",
        "ru": "Добавить (комментарии переразметятся при следующем анализе)",
    },
    "kw.title": {"en": "Key phrases", "ru": "Ключевые фразы"},
    "kw.period": {"en": "{since} – {until}: {n} comments,", "ru": "{since} – {until}: {n} комм.,"},
    "kw.previous": {
        "en": "compared with {since} – {until} ({n}).",
        "ru": "в сравнении с {since} – {until} ({n}).",
    },
    "kw.days": {"en": "{n} days", "ru": "{n} дн."},
    "kw.sampled": {
        "en": "Many comments: the newest {n} of each period were used.",
        "ru": "Комментариев много: взяты последние {n} за каждый период.",
    },
    "kw.rising": {"en": "Rising", "ru": "Растут"},
    "kw.falling": {"en": "Falling", "ru": "Снижаются"},
    "kw.top": {"en": "Most mentioned", "ru": "Чаще всего"},
    "kw.phrase": {"en": "Phrase", "ru": "Фраза"},
    "kw.now": {"en": "Now", "ru": "Сейчас"},
    "kw.before": {"en": "Before", "ru": "Раньше"},
    "kw.change": {"en": "Change", "ru": "Изменение"},
    "kw.no_change": {"en": "No significant change.", "ru": "Значимых изменений нет."},
    "kw.significant_help": {
        "en": "Significant change: z = {z}, q = {q}",
        "ru": "Значимое изменение: z = {z}, q = {q}",
    },
    "kw.method": {
        "en": "Counts are comments that use the phrase in any word form; × is its share now "
        "divided by its share before; * marks a significant change (two-proportion z test, "
        "Benjamini–Hochberg q < 0.05 over all phrases).",
        "ru": "Число — комментарии с этой фразой в любой форме; × — её доля сейчас, делённая на "
        "долю раньше; * — значимое изменение (z-тест двух долей, поправка Бенджамини–Хохберга, "
        "q < 0.05 по всем фразам).",
    },
    "sentiment.negative": {"en": "negative", "ru": "негатив"},
    "sentiment.neutral": {"en": "neutral", "ru": "нейтрально"},
    "sentiment.positive": {"en": "positive", "ru": "позитив"},
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
    "login.title": {"en": "Sign in", "ru": "Вход"},
    "login.email": {"en": "Email", "ru": "Эл. почта"},
    "login.password": {"en": "Password", "ru": "Пароль"},
    "login.submit": {"en": "Sign in", "ru": "Войти"},
    "login.failed": {"en": "Wrong email or password.", "ru": "Неверная почта или пароль."},
    "login.rate_limited": {
        "en": "Too many attempts. Try again in {seconds} s.",
        "ru": "Слишком много попыток. Повторите через {seconds} с.",
    },
    "error.csrf": {
        "en": "The form expired. Please try again.",
        "ru": "Форма устарела. Попробуйте ещё раз.",
    },
    "error.csrf_title": {"en": "Form expired", "ru": "Форма устарела"},
    "error.back": {"en": "Open the page again", "ru": "Открыть страницу заново"},
    "home.title": {"en": "Overview", "ru": "Обзор"},
    "home.period": {"en": "Last {days} days", "ru": "Последние {days} дн."},
    "home.nps": {"en": "NPS", "ru": "NPS"},
    "home.responses": {"en": "Responses", "ru": "Ответы"},
    "home.by_touchpoint": {"en": "By touchpoint", "ru": "По точкам контакта"},
    "home.touchpoint": {"en": "Touchpoint", "ru": "Точка контакта"},
    "home.stage": {"en": "Stage", "ru": "Этап"},
    "home.channel": {"en": "Channel", "ru": "Канал"},
    "home.ci": {"en": "95% CI", "ru": "95% ДИ"},
    "home.not_enough": {"en": "not enough data", "ru": "мало данных"},
    "home.empty": {
        "en": "No responses in this period yet.",
        "ru": "За этот период ответов пока нет.",
    },
    "home.period_label": {"en": "Period", "ru": "Период"},
    "home.days": {"en": "{days} days", "ru": "{days} дн."},
    "home.answers": {"en": "n = {n}", "ru": "n = {n}"},
    "home.n_title": {"en": "Answers to the NPS question", "ru": "Ответы на вопрос NPS"},
    "home.ci_range": {"en": "95% CI {low} … {high}", "ru": "95% ДИ {low} … {high}"},
    "home.mix": {
        "en": "Promoters · passives · detractors",
        "ru": "Промоутеры · нейтралы · критики",
    },
    "home.promoters": {"en": "Promoters", "ru": "Промоутеры"},
    "home.passives": {"en": "Passives", "ru": "Нейтралы"},
    "home.detractors": {"en": "Detractors", "ru": "Критики"},
    "home.responses_sub": {
        "en": "{n} of them answered the NPS question",
        "ru": "из них {n} ответили на вопрос NPS",
    },
    "home.no_touchpoint": {"en": "Without touchpoint", "ru": "Без точки контакта"},
    "home.need_n": {
        "en": "needs at least {min_n} answers, has {n}",
        "ru": "нужно не меньше {min_n} ответов, есть {n}",
    },
    "home.method_note": {
        "en": "NPS = % promoters (9–10) − % detractors (0–6). Intervals are 95% adjusted-Wald; "
        "a value is shown from {min_n} answers.",
        "ru": "NPS = % промоутеров (9–10) − % критиков (0–6). Интервалы — 95% (скорректированный "
        "Вальд); значение показывается от {min_n} ответов.",
    },
    "home.no_touchpoints": {
        "en": "No touchpoints yet: add a journey with touchpoints to see NPS by moment.",
        "ru": "Точек контакта пока нет: добавьте путь клиента с точками, чтобы видеть NPS по ним.",
    },
    "nav.dashboard": {"en": "Dashboard", "ru": "Дашборд"},
    "dash.title": {"en": "Dashboard", "ru": "Дашборд"},
    "dash.vs_previous": {
        "en": "compared with the {days} days before",
        "ru": "в сравнении с предыдущими {days} дн.",
    },
    "dash.filters": {"en": "Filters", "ru": "Фильтры"},
    "dash.by": {"en": "Break down by", "ru": "Разбивка по"},
    "dash.all": {"en": "All", "ru": "Все"},
    "dash.grain": {"en": "Trend step", "ru": "Шаг тренда"},
    "dash.apply": {"en": "Apply", "ru": "Применить"},
    "dash.change": {"en": "Change", "ru": "Изменение"},
    "dash.previous": {"en": "Previous", "ru": "Было"},
    "dash.significant": {"en": "significant change", "ru": "значимое изменение"},
    "dash.trend": {"en": "{metric} over time, with 95% CI", "ru": "{metric} по времени, с 95% ДИ"},
    "dash.trend_table": {"en": "Trend as a table", "ru": "Тренд таблицей"},
    "dash.period": {"en": "Period", "ru": "Период"},
    "dash.breakdown": {"en": "By {dim}", "ru": "Разбивка: {dim}"},
    "dash.export": {"en": "Download", "ru": "Скачать"},
    "dash.none": {"en": "Not set", "ru": "Не указано"},
    "dash.method_note": {
        "en": "Change = this period − the previous one; ▲/▼ marks a significant change "
        "(Benjamini–Hochberg q < 0.05 across the rows). Values need {min_n} answers.",
        "ru": "Изменение = этот период − предыдущий; ▲/▼ — значимое изменение "
        "(q Бенджамини–Хохберга < 0,05 по всем строкам). Значение — от {min_n} ответов.",
    },
    "metric.nps": {"en": "NPS", "ru": "NPS"},
    "metric.csat": {"en": "CSAT, %", "ru": "CSAT, %"},
    "metric.ces": {"en": "CES (1–7)", "ru": "CES (1–7)"},
    "dim.touchpoint": {"en": "Touchpoint", "ru": "Точка контакта"},
    "dim.stage": {"en": "Stage", "ru": "Этап"},
    "dim.journey": {"en": "Journey", "ru": "Путь клиента"},
    "dim.channel": {"en": "Channel", "ru": "Канал"},
    "dim.unit": {"en": "Unit", "ru": "Подразделение"},
    "dim.segment": {"en": "Segment", "ru": "Сегмент"},
    "dim.survey": {"en": "Survey", "ru": "Опрос"},
    "dim.language": {"en": "Language", "ru": "Язык"},
    "dim.source": {"en": "Source", "ru": "Источник"},
    "grain.week": {"en": "Week", "ru": "Неделя"},
    "grain.month": {"en": "Month", "ru": "Месяц"},
    "grain.quarter": {"en": "Quarter", "ru": "Квартал"},
    "channel.web": {"en": "Web", "ru": "Сайт"},
    "channel.app": {"en": "App", "ru": "Приложение"},
    "channel.branch": {"en": "Branch", "ru": "Отделение"},
    "channel.phone": {"en": "Phone", "ru": "Телефон"},
    "channel.email": {"en": "Email", "ru": "Эл. почта"},
    "channel.chat": {"en": "Chat", "ru": "Чат"},
    "channel.sms": {"en": "SMS", "ru": "SMS"},
    "channel.social": {"en": "Social", "ru": "Соцсети"},
    "channel.partner": {"en": "Partner", "ru": "Партнёр"},
    "channel.other": {"en": "Other", "ru": "Другое"},
    "nav.surveys": {"en": "Surveys", "ru": "Опросы"},
    "survey.list_title": {"en": "Surveys", "ru": "Опросы"},
    "survey.none": {"en": "No surveys yet.", "ru": "Опросов пока нет."},
    "survey.title": {"en": "Name", "ru": "Название"},
    "survey.status": {"en": "Status", "ru": "Статус"},
    "survey.status.draft": {"en": "Draft", "ru": "Черновик"},
    "survey.status.published": {"en": "Published", "ru": "Опубликован"},
    "survey.status.closed": {"en": "Closed", "ru": "Закрыт"},
    "survey.version": {"en": "Version", "ru": "Версия"},
    "survey.pending": {"en": "unpublished changes", "ru": "есть неопубликованные правки"},
    "survey.create": {"en": "New survey", "ru": "Новый опрос"},
    "survey.create_submit": {"en": "Create draft", "ru": "Создать черновик"},
    "survey.start_from": {"en": "Start from", "ru": "Начать с"},
    "survey.blank": {"en": "A blank survey", "ru": "Пустого опроса"},
    "survey.live_version": {"en": "live version {n}", "ru": "действует версия {n}"},
    "survey.never_published": {"en": "not published yet", "ru": "ещё не опубликован"},
    "survey.preview": {"en": "Preview", "ru": "Предпросмотр"},
    "survey.preview_help": {
        "en": "as the respondent sees it; nothing is saved.",
        "ru": "как видит респондент; ничего не сохраняется.",
    },
    "survey.preview_language": {"en": "Survey language", "ru": "Язык опроса"},
    "survey.publish": {"en": "Publish", "ru": "Опубликовать"},
    "survey.close": {"en": "Close", "ru": "Закрыть"},
    "survey.reopen": {"en": "Reopen", "ru": "Открыть снова"},
    "survey.attach": {"en": "Attach", "ru": "Привязать"},
    "survey.questions": {"en": "Questions", "ru": "Вопросы"},
    "survey.no_questions": {
        "en": "No questions yet: add one below.",
        "ru": "Вопросов пока нет: добавьте ниже.",
    },
    "survey.question": {"en": "Question", "ru": "Вопрос"},
    "survey.required": {"en": "required", "ru": "обязательный"},
    "survey.shown_if": {"en": "shown if", "ru": "показать, если"},
    "survey.edit": {"en": "Edit", "ru": "Изменить"},
    "survey.move_up": {"en": "Move up", "ru": "Выше"},
    "survey.move_down": {"en": "Move down", "ru": "Ниже"},
    "survey.remove": {"en": "Remove", "ru": "Удалить"},
    "survey.add_question": {"en": "Add a question", "ru": "Добавить вопрос"},
    "survey.add": {"en": "Add", "ru": "Добавить"},
    "survey.settings": {"en": "Texts and settings", "ru": "Тексты и настройки"},
    "survey.slug": {"en": "Link name (/s/…)", "ru": "Имя в ссылке (/s/…)"},
    "survey.slug_fixed": {
        "en": "Fixed after publishing: sent links use it.",
        "ru": "Не меняется после публикации: его содержат отправленные ссылки.",
    },
    "survey.respondent_title": {"en": "Heading for respondents", "ru": "Заголовок для респондента"},
    "survey.intro": {"en": "Introduction", "ru": "Вступление"},
    "survey.notice": {
        "en": "How the answers are used (shown on the survey)",
        "ru": "Как используются ответы (показывается в опросе)",
    },
    "survey.privacy_url": {
        "en": "Privacy page link",
        "ru": "Ссылка на политику конфиденциальности",
    },
    "survey.thanks_default": {"en": "Thank-you text", "ru": "Текст благодарности"},
    "survey.layout": {"en": "Layout", "ru": "Вид"},
    "survey.layout.one_page": {
        "en": "All questions on one page",
        "ru": "Все вопросы на одной странице",
    },
    "survey.layout.steps": {"en": "One question per step", "ru": "По одному вопросу на шаг"},
    "survey.save": {"en": "Save", "ru": "Сохранить"},
    "survey.saved": {"en": "Saved.", "ru": "Сохранено."},
    "survey.fix_errors": {"en": "Please fix:", "ru": "Исправьте:"},
    "survey.json": {"en": "Advanced: edit as JSON", "ru": "Для опытных: правка в JSON"},
    "survey.json_help": {
        "en": "Thank-you rules and and/or conditions can be edited here.",
        "ru": "Здесь можно править правила благодарности и условия с «и/или».",
    },
    "survey.versions": {"en": "Published versions", "ru": "Опубликованные версии"},
    "survey.question_id": {"en": "Question id", "ru": "Идентификатор вопроса"},
    "survey.question_id_help": {
        "en": "Latin letters, digits and _; the key of the answer in exports and the API.",
        "ru": "Латинские буквы, цифры и _; ключ ответа в выгрузках и API.",
    },
    "survey.type": {"en": "Type", "ru": "Тип"},
    "survey.text": {"en": "Question text", "ru": "Текст вопроса"},
    "survey.piping_help": {
        "en": "Insert an earlier answer with {{question_id}}, e.g. {{nps}}.",
        "ru": "Вставьте ответ на предыдущий вопрос: {{id_вопроса}}, например {{nps}}.",
    },
    "survey.help": {"en": "Hint (optional)", "ru": "Подсказка (необязательно)"},
    "survey.scale_max": {"en": "Highest point", "ru": "Максимальный балл"},
    "survey.low_label": {"en": "Label of the lowest point", "ru": "Подпись низшего балла"},
    "survey.high_label": {"en": "Label of the highest point", "ru": "Подпись высшего балла"},
    "survey.choices": {"en": "Options", "ru": "Варианты"},
    "survey.choices_help": {
        "en": "One per line: value | RU label | EN label",
        "ru": "По одному в строке: значение | подпись RU | подпись EN",
    },
    "survey.max_selected": {"en": "At most this many", "ru": "Не больше стольких"},
    "survey.multiline": {"en": "Several lines", "ru": "Несколько строк"},
    "survey.is_comment": {
        "en": "This is the response's comment",
        "ru": "Это комментарий ответа",
    },
    "survey.max_length": {"en": "Maximum length", "ru": "Максимальная длина"},
    "survey.show_if": {"en": "Ask only if", "ru": "Задавать, только если"},
    "survey.always": {"en": "— always ask —", "ru": "— задавать всегда —"},
    "survey.operator": {"en": "Condition", "ru": "Условие"},
    "survey.value": {"en": "Value", "ru": "Значение"},
    "survey.first_always": {
        "en": "The first question is always asked.",
        "ru": "Первый вопрос задаётся всегда.",
    },
    "survey.show_if_json": {
        "en": "Or a condition in JSON (for and/or)",
        "ru": "Или условие в JSON (для «и/или»)",
    },
    "qtype.nps": {"en": "NPS (0–10)", "ru": "NPS (0–10)"},
    "qtype.csat": {"en": "CSAT (1–5)", "ru": "CSAT (1–5)"},
    "qtype.ces": {"en": "CES (1–7)", "ru": "CES (1–7)"},
    "qtype.rating": {"en": "Rating (1–N)", "ru": "Оценка (1–N)"},
    "qtype.single_choice": {"en": "One choice", "ru": "Один вариант"},
    "qtype.multi_choice": {"en": "Several choices", "ru": "Несколько вариантов"},
    "qtype.text": {"en": "Text", "ru": "Текст"},
    "qtype.yes_no": {"en": "Yes / no", "ru": "Да / нет"},
    "qtype.consent": {"en": "Consent", "ru": "Согласие"},
    "qtype.contact_permission": {"en": "Permission to contact", "ru": "Разрешение связаться"},
    "op.eq": {"en": "equals", "ru": "равно"},
    "op.ne": {"en": "is not", "ru": "не равно"},
    "op.lt": {"en": "less than", "ru": "меньше"},
    "op.lte": {"en": "at most", "ru": "не больше"},
    "op.gt": {"en": "greater than", "ru": "больше"},
    "op.gte": {"en": "at least", "ru": "не меньше"},
    "op.in": {"en": "one of (a, b)", "ru": "одно из (a, b)"},
    "op.not_in": {"en": "none of (a, b)", "ru": "ни одно из (a, b)"},
    "op.contains": {"en": "includes", "ru": "включает"},
    "op.answered": {"en": "is answered", "ru": "есть ответ"},
    "op.not_answered": {"en": "is not answered", "ru": "нет ответа"},
    "public.language": {"en": "Language", "ru": "Язык"},
    "public.required_note": {"en": "* marks a required question", "ru": "* — обязательный вопрос"},
    "public.required": {"en": "required", "ru": "обязательный"},
    "public.submit": {"en": "Send", "ru": "Отправить"},
    "public.next": {"en": "Next", "ru": "Далее"},
    "public.back": {"en": "Back", "ru": "Назад"},
    "public.step": {"en": "Question {n} of {total}", "ru": "Вопрос {n} из {total}"},
    "public.privacy": {"en": "Privacy policy", "ru": "Политика конфиденциальности"},
    "public.fix_errors": {
        "en": "Please check the marked answers.",
        "ru": "Проверьте, пожалуйста, отмеченные ответы.",
    },
    "public.more_questions": {
        "en": "Thank you! Please answer the new question below.",
        "ru": "Спасибо! Ответьте, пожалуйста, на новый вопрос ниже.",
    },
    "public.need_answer": {
        "en": "Please answer at least one question.",
        "ru": "Ответьте, пожалуйста, хотя бы на один вопрос.",
    },
    "public.thanks_title": {"en": "Thank you", "ru": "Спасибо"},
    "public.not_found_title": {"en": "Survey not found", "ru": "Опрос не найден"},
    "public.not_found": {
        "en": "There is no open survey at this address. Please check the link.",
        "ru": "По этому адресу нет открытого опроса. Проверьте ссылку.",
    },
    "public.closed_title": {"en": "This survey is closed", "ru": "Опрос закрыт"},
    "public.closed": {
        "en": "It no longer accepts answers. Thank you for your interest.",
        "ru": "Он больше не принимает ответы. Спасибо за интерес.",
    },
    "public.link_invalid_title": {"en": "This link is damaged", "ru": "Ссылка повреждена"},
    "public.link_invalid": {
        "en": "Please open the link from your invitation again, copying it whole.",
        "ru": "Откройте ссылку из приглашения ещё раз, скопировав её целиком.",
    },
    "public.link_expired_title": {
        "en": "This link has expired",
        "ru": "Срок действия ссылки истёк",
    },
    "public.link_expired": {
        "en": "Personal links are valid for a limited time. Thank you for your interest.",
        "ru": "Персональные ссылки действуют ограниченное время. Спасибо за интерес.",
    },
    "public.link_revoked_title": {
        "en": "This link is no longer valid",
        "ru": "Ссылка больше не действует",
    },
    "public.link_revoked": {
        "en": "It was replaced or withdrawn. Please use the latest invitation.",
        "ru": "Её заменили или отозвали. Используйте последнее приглашение.",
    },
    "public.link_used_title": {"en": "You have already answered", "ru": "Вы уже ответили"},
    "public.link_used": {
        "en": "This personal link was already used. Thank you for your feedback!",
        "ru": "По этой персональной ссылке уже ответили. Спасибо за отзыв!",
    },
    "public.form_expired_title": {"en": "The page expired", "ru": "Страница устарела"},
    "public.form_expired": {
        "en": "Please open the survey again; the answers you gave are kept.",
        "ru": "Откройте опрос заново; данные вами ответы сохранены.",
    },
    "public.rate_title": {"en": "Too many requests", "ru": "Слишком много запросов"},
    "public.rate": {
        "en": "Please wait {seconds} s and try again.",
        "ru": "Подождите {seconds} с и попробуйте снова.",
    },
    "public.open_again": {"en": "Open the survey", "ru": "Открыть опрос"},
    "public.bad_request_title": {"en": "Something is wrong", "ru": "Что-то не так"},
    "widget.close": {"en": "Close", "ru": "Закрыть"},
    "widget.next": {"en": "Next", "ru": "Далее"},
    "widget.send": {"en": "Send", "ru": "Отправить"},
    "widget.skip": {"en": "Send without a comment", "ru": "Отправить без комментария"},
    "widget.error": {
        "en": "Could not send. Please try again.",
        "ru": "Не удалось отправить. Попробуйте ещё раз.",
    },
    "widget.choose": {"en": "Please choose a score.", "ru": "Выберите оценку."},
    "share.title": {"en": "Share the survey", "ru": "Распространение опроса"},
    "share.link": {"en": "Share", "ru": "Распространение"},
    "share.public_link": {"en": "Public link", "ru": "Публичная ссылка"},
    "share.qr": {"en": "QR code", "ru": "QR-код"},
    "share.download": {"en": "Download", "ru": "Скачать"},
    "share.embed": {"en": "Widget for your website", "ru": "Виджет для вашего сайта"},
    "share.embed_help": {
        "en": "Paste before </body>. data-delay: seconds before it shows; data-trigger: show only "
        "on this page path (a trailing * matches a prefix); data-days: do not show again to the "
        "same browser for this many days.",
        "ru": "Вставьте перед </body>. data-delay — через сколько секунд показать; data-trigger — "
        "показывать только на этой странице (* в конце — префикс); data-days — не показывать "
        "снова этому браузеру столько дней.",
    },
    "share.personal": {
        "en": "Personal links (one per invitation, single use) are created when invitations are "
        "sent; they tie the answer to the customer.",
        "ru": "Персональные ссылки (по одной на приглашение, одноразовые) создаются при отправке "
        "приглашений и связывают ответ с клиентом.",
    },
    "share.not_published": {
        "en": "The survey is not published: the link opens a “not found” page until it is.",
        "ru": "Опрос не опубликован: до публикации ссылка показывает «не найдено».",
    },
    "share.origins": {
        "en": "Sites allowed to embed the widget",
        "ru": "Сайты, где разрешён виджет",
    },
    "share.origins_help": {
        "en": "One origin per line, e.g. https://shop.example.com. Empty: any site.",
        "ru": "По одному адресу в строке, например https://shop.example.com. Пусто — любой сайт.",
    },
}


def translate(key: str, lang: str, **kwargs: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**kwargs) if kwargs else text


def request_language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in LANGUAGES:
        return lang
    user = getattr(request.state, "user", None)
    if user is not None and user.language in LANGUAGES:
        return user.language
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
