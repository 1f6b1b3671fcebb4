"""Strings of invitations, contact fatigue and suppression reasons, survey results, the
"my data" page and unsubscribe (listen/invitations.py & co)."""

MESSAGES: dict[str, dict[str, str]] = {
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
}
