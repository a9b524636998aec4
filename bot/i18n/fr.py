"""French words (GLOSSARY.md); placeholders are filled with HTML-escaped values."""

MESSAGES: dict[str, str] = {
    "cmd.start": "Démarrer Pointage",
    "cmd.help": "Aide et commandes",
    "cmd.connect": "Connecter un compte bancaire",
    "cmd.cancel": "Annuler l'action en cours",
    "cmd.privacy": "Vos données et leur protection",
    "start.welcome": (
        "Bonjour {name} 👋\n"
        "Pointage tient votre <b>Banque</b> à jour depuis Telegram : connectez votre banque, "
        "vos opérations arrivent chaque jour déjà catégorisées dans votre plan comptable.\n\n"
        "👉 /connect pour connecter un compte.\n\n"
        "🔒 Vos identifiants bancaires sont chiffrés et les messages qui les contiennent sont "
        "effacés aussitôt. Détails : /privacy"
    ),
    "help.text": (
        "<b>Pointage — aide</b>\n"
        "/connect — Connecter un compte\n"
        "/review — Passer en revue les opérations\n"
        "/rules — Vos règles de catégorisation\n"
        "/settings — Langue, heure du récap, validation auto\n"
        "/cancel — Annuler l'action en cours\n"
        "/privacy — Vos données\n"
        "/help — Cette aide\n\n"
        "La banque de démonstration se connecte avec l'identifiant <code>demo</code>, "
        "le mot de passe <code>demo</code> et le code <code>123456</code>."
    ),
    "privacy.text": (
        "<b>Vos données</b>\n"
        "• Vos identifiants bancaires sont chiffrés (AES-GCM) avant d'être enregistrés ; "
        "ils ne sont jamais affichés ni écrits dans les journaux.\n"
        "• Les messages contenant un identifiant, un mot de passe ou un code sont effacés "
        "dès leur réception.\n"
        "• Vos opérations restent sur le serveur qui héberge ce bot ; rien n'est revendu.\n"
        "• /deletemydata efface tout ce qui vous concerne et révoque les accès bancaires."
    ),
    "unknown": "Je n'ai pas compris. /help liste ce que je sais faire.",
    "stale_button": "Ce bouton n'est plus actif.",
    "private_only": (
        "Pour votre sécurité, la connexion d'une banque se fait en conversation privée avec "
        "moi, jamais dans un groupe. Écrivez-moi directement : /connect"
    ),
    "connect.search": (
        "<b>Connecter un compte</b>\nRecherchez votre banque : tapez son nom.\nPays : {country}"
    ),
    "connect.ask_country": "Dans quel pays est votre banque ?",
    "connect.results": (
        "Résultats pour « {query} » ({country}).\nChoisissez votre banque, ou tapez un autre nom."
    ),
    "connect.no_results": (
        "Aucune banque trouvée pour « {query} » ({country}). Vérifiez l'orthographe, "
        "tapez un autre nom, ou changez de pays."
    ),
    "connect.request_recorded": (
        "C'est noté : votre demande pour « {query} » ({country}) est enregistrée.\n"
        "En attendant, vous pourrez importer les fichiers (OFX, CSV) téléchargés sur le site "
        "de votre banque. Tapez un autre nom pour chercher encore."
    ),
    "connect.region": "<b>{group}</b> : choisissez votre caisse régionale.",
    "connect.bank": (
        "<b>{bank}</b>\n"
        "Pointage va vous demander vos identifiants (ceux du site de votre banque). "
        "Ils sont chiffrés, et chaque message qui les contient est effacé aussitôt."
    ),
    "connect.bank_unsupported": (
        "<b>{bank}</b> ne peut pas encore être connectée automatiquement.\n"
        "Vous pourrez importer les fichiers (OFX, CSV) téléchargés sur le site de votre banque, "
        "ou demander sa prise en charge."
    ),
    "connect.ask_username": "<b>{bank}</b>\nIdentifiant (celui du site de votre banque) :",
    "connect.ask_password": (
        "<b>{bank}</b>\nMot de passe :\n<i>Votre message sera effacé dès sa réception.</i>"
    ),
    "connect.connecting": "⏳ Connexion en cours…",
    "connect.still_connecting": "⏳ Connexion en cours… /cancel pour abandonner.",
    "connect.bad_credentials": (
        "❌ Identifiant ou mot de passe incorrect.\n"
        "<b>{bank}</b>\nIdentifiant (celui du site de votre banque) :"
    ),
    "connect.ask_code": "Code de sécurité : entrez le code reçu ({hint}).",
    "connect.wrong_code": "❌ Code de sécurité incorrect. Entrez à nouveau le code reçu ({hint}).",
    "connect.selected": "☑️ {count} coché(s) pour l'instant",
    "connect.choose_accounts": (
        "<b>{bank}</b>\nChoisissez les comptes à connecter (touchez pour cocher) :"
    ),
    "connect.pick_one": "Cochez au moins un compte.",
    "connect.choose_ledger": (
        "<b>{account}</b> ({balance})\nType de compte (plan comptable) : dans quel compte "
        "de votre plan comptable enregistrer ses opérations ?"
    ),
    "connect.ask_ledger_name": "Nom du nouveau compte bancaire (par exemple « Qonto ») :",
    "connect.bad_ledger_name": "Ce nom ne convient pas : de 1 à 60 caractères, s'il vous plaît.",
    "connect.choose_period": "<b>Période d'importation</b>\nDepuis quand importer vos opérations ?",
    "connect.confirm": (
        "<b>{bank}</b>\n{accounts}\nPériode d'importation : {period} (depuis le {start})"
    ),
    "connect.confirm_account": "• {account} → {ledger}",
    "connect.importing": "⏳ Connexion de {bank} et import des opérations…",
    "connect.done": "✅ <b>{bank}</b> est connectée.\n\n{accounts}\n\n{next}",
    "connect.done_next": (
        "{categorized} catégorisées d'avance, {auto} validées automatiquement. "
        "/review pour les passer en revue."
    ),
    "connect.done_account": (
        "<b>{account}</b> → {ledger}\n"
        "{count} opérations importées{pending}, {period}\n"
        "Solde : {balance}"
    ),
    "connect.done_period": "du {start} au {end}",
    "connect.done_empty": "aucune opération sur la période",
    "connect.done_pending": " (dont {pending} en attente)",
    "connect.import_failed": (
        "⚠️ <b>{bank}</b> est connectée, mais l'import a échoué : {reason}\n"
        "Vos opérations arriveront à la prochaine mise à jour."
    ),
    "connect.cancelled": "Connexion annulée. Rien n'a été enregistré.",
    "connect.nothing_to_cancel": "Rien à annuler.",
    "connect.timeout": (
        "⌛ La connexion a été abandonnée faute de réponse ; rien n'a été enregistré. "
        "/connect pour recommencer."
    ),
    "error.bad_credentials": "Identifiant ou mot de passe incorrect.",
    "error.wrong_code": "Code de sécurité incorrect.",
    "error.account_locked": (
        "❌ Votre banque indique que l'accès est bloqué. Débloquez-le sur le site de votre "
        "banque, puis /connect pour réessayer."
    ),
    "error.bank_unavailable": (
        "⚠️ Votre banque ne répond pas pour le moment. Rien n'a été enregistré ; réessayez "
        "dans quelques minutes avec /connect."
    ),
    "error.consent_expired": "⚠️ L'autorisation donnée à votre banque a expiré.",
    "error.rate_limited": "⚠️ Votre banque limite les appels ; réessayez plus tard.",
    "error.unsupported": "⚠️ Cette banque ne peut pas être connectée pour le moment.",
    "error.error": "⚠️ Une erreur est survenue. Rien n'a été enregistré.",
    "btn.continue": "Continuer",
    "btn.back": "← Retour",
    "btn.cancel": "Annuler",
    "btn.country": "🌍 Pays : {country}",
    "btn.cant_find": "Je ne trouve pas ma banque",
    "btn.request_support": "Demander sa prise en charge",
    "btn.prev": "◀️ Précédent",
    "btn.next": "Suivant ▶️",
    "list.page": "Page {page}/{pages}",
    "list.more": "… et {count} de plus",
    "btn.add": "➕ Ajouter",
    "btn.connect": "Connecter",
    "btn.period_days": "{n} derniers jours",
    "btn.period_months": "{n} derniers mois",
    "period.days": "{n} derniers jours",
    "period.months": "{n} derniers mois",
    "connect.restarted": (
        "🔄 Pointage a redémarré : pour votre sécurité, saisissez à nouveau votre identifiant."
        "\n\n<b>{bank}</b>\nIdentifiant (celui du site de votre banque) :"
    ),
    "help.manage": (
        "<b>Vos banques</b>\n"
        "/accounts — Vos comptes connectés\n"
        "/refresh — Mettre à jour maintenant\n"
        "/credentials — Modifier les identifiants\n"
        "/disconnect — Déconnecter une banque\n"
        "/deletemydata — Effacer toutes vos données"
    ),
    "help.troubleshoot": (
        "<b>🛠 Dépannage des imports</b>\n\n"
        "<b>Il me manque des opérations</b>\n"
        "• Vos opérations arrivent chaque nuit ; /refresh les fait venir tout de suite.\n"
        "• Une opération encore « en attente » à la banque arrive marquée ⏳, puis est "
        "confirmée sans être comptée deux fois.\n"
        "• /accounts montre la date de la dernière mise à jour de chaque banque et ce qui "
        "demande une action.\n"
        "• Rien n'est importé avant le début de la période d'importation choisie en "
        "connectant la banque.\n\n"
        "<b>La banque dit que mon mot de passe est faux</b>\n"
        "• Vérifiez que ces identifiants ouvrent bien le site de votre banque.\n"
        "• S'ils ont changé : /credentials. Les anciens restent enregistrés tant que les "
        "nouveaux ne sont pas vérifiés.\n"
        "• Après plusieurs refus, la banque peut bloquer l'accès : débloquez-le sur son site, "
        "puis /credentials. Pointage ne réessaie jamais seul un mot de passe refusé.\n\n"
        "<b>Des opérations en double</b>\n"
        "• Une même opération n'est jamais importée deux fois, même après /refresh ou une "
        "reconnexion avec /connect.\n"
        "• Si la banque elle-même l'a enregistrée deux fois : /review, ✏️ Catégorie, puis "
        "⛔ Exclure sur le doublon."
    ),
    "btn.troubleshoot": "🛠 Dépannage des imports",
}
