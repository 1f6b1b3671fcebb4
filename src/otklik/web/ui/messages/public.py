"""Strings customers see (public survey page, embedded widget) and of the share page that
hands out the link, QR code and widget."""

MESSAGES: dict[str, dict[str, str]] = {
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
