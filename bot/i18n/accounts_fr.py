"""French words of managing connections: accounts, refresh, credentials, disconnect."""

MESSAGES: dict[str, str] = {
    "cmd.accounts": "Vos banques et comptes connectés",
    "cmd.refresh": "Mettre à jour vos opérations",
    "cmd.credentials": "Modifier les identifiants d'une banque",
    "cmd.disconnect": "Déconnecter une banque",
    "cmd.deletemydata": "Effacer toutes vos données",
    "manage.private_only": (
        "Pour votre sécurité, cette commande se fait en conversation privée avec moi, "
        "jamais dans un groupe."
    ),
    "manage.kept": "Rien n'a changé.",
    "when.today": "aujourd'hui à {time}",
    "when.day": "le {day} à {time}",
    # /accounts
    "accounts.title": "<b>Banque</b> — vos comptes connectés",
    "accounts.none": (
        "Aucune banque connectée pour l'instant.\n👉 /connect pour connecter un compte."
    ),
    "accounts.connection": "<b>{n}{bank}</b> · {status}",
    "accounts.status_active": "✅ Active",
    "accounts.status_attention": "⚠️ Action requise",
    "accounts.status_disconnected": "⛔ Déconnectée",
    "accounts.last_sync": "Dernière mise à jour : {when}",
    "accounts.never_synced": "Pas encore mise à jour",
    "accounts.consent": "Autorisation valable jusqu'au {date}",
    "accounts.fix_sign_in": "→ {reason} : modifiez les identifiants.",
    "accounts.failing": "⚠️ La banque ne répond pas depuis {when} ; nouvel essai automatique.",
    "accounts.limited": "⏳ Prochaine mise à jour possible {when}.",
    "accounts.disconnected_hint": "Les opérations n'arrivent plus ; /connect pour la reconnecter.",
    "accounts.account": "• {name}{iban}\n   Solde : {balance} → {ledger}",
    "accounts.unconnected": "<b>Comptes sans connexion</b>",
    # health reasons (after a colon, lower case)
    "reason.bad_credentials": "la banque refuse l'identifiant ou le mot de passe",
    "reason.consent_expired": "l'autorisation donnée à la banque a expiré",
    "reason.account_locked": "la banque indique que l'accès est bloqué",
    "reason.wrong_code": "le code de sécurité a été refusé",
    "reason.secret_unreadable": "les identifiants enregistrés ne sont plus lisibles",
    "reason.other": "la banque refuse la connexion",
    # /refresh
    "refresh.none": "Aucune banque à mettre à jour.\n👉 /connect pour connecter un compte.",
    "refresh.title": "<b>Mettre à jour</b>",
    "refresh.line_waiting": "▫️ {bank}",
    "refresh.line_running": "⏳ {bank} : mise à jour en cours…",
    "refresh.line_joined": "⏳ {bank} : mise à jour déjà en cours, je la suis…",
    "refresh.line_new": "✅ {bank} : {count} nouvelles opérations",
    "refresh.line_new_one": "✅ {bank} : 1 nouvelle opération",
    "refresh.line_none": "✅ {bank} : à jour, aucune nouvelle opération",
    "refresh.line_limited": (
        "⏳ {bank} : la banque limite les mises à jour ; prochaine possible {when}."
    ),
    "refresh.line_attention": "⚠️ {bank} : Action requise — {reason}.",
    "refresh.line_retrying": (
        "⚠️ {bank} : la banque ne répond pas ; nouvel essai automatique {when}."
    ),
    "refresh.line_gone": "⛔ {bank} : déconnectée",
    "refresh.total": "{count} nouvelles opérations ; /review pour les passer en revue.",
    "refresh.total_one": "1 nouvelle opération ; /review pour la passer en revue.",
    "refresh.total_none": "Aucune nouvelle opération.",
    # messages sent once
    "notice.reauth": (
        "⚠️ <b>Action requise</b> — {bank}\n"
        "Les nouvelles opérations n'arrivent plus : {reason}.\n"
        "Modifiez les identifiants pour reprendre les mises à jour."
    ),
    "notice.failing": (
        "⚠️ <b>{bank}</b> ne répond plus depuis {when}.\n"
        "Pointage réessaie automatiquement ; vos opérations arriveront dès qu'elle répondra. "
        "Rien à faire de votre côté."
    ),
    "notice.expiring": (
        "🔔 L'autorisation donnée à <b>{bank}</b> expire le {date}.\n"
        "Renouvelez-la pour continuer à recevoir vos opérations."
    ),
    # /credentials
    "credentials.none": (
        "Aucune banque connectée : pas d'identifiants à modifier.\n"
        "👉 /connect pour connecter un compte."
    ),
    "credentials.pick": "<b>Modifier les identifiants</b>\nDe quelle banque ?",
    "credentials.ask_username": (
        "<b>{bank}</b> — Modifier les identifiants\n"
        "Identifiant (celui du site de votre banque) :\n"
        "<i>Vos identifiants actuels restent enregistrés tant que les nouveaux ne sont pas "
        "vérifiés.</i>"
    ),
    "credentials.ask_password": (
        "<b>{bank}</b>\nMot de passe :\n<i>Votre message sera effacé dès sa réception.</i>"
    ),
    "credentials.checking": "⏳ Connexion en cours…",
    "credentials.still": "⏳ Connexion en cours… /cancel pour abandonner.",
    "credentials.ask_code": "Code de sécurité : entrez le code reçu ({hint}).",
    "credentials.wrong_code": (
        "❌ Code de sécurité incorrect. Entrez à nouveau le code reçu ({hint})."
    ),
    "credentials.bad": (
        "❌ Identifiant ou mot de passe incorrect. Rien n'a changé.\n"
        "<b>{bank}</b>\nIdentifiant (celui du site de votre banque) :"
    ),
    "credentials.refused": (
        "❌ {bank} : {reason}. Rien n'a changé : vos identifiants actuels restent enregistrés."
    ),
    "credentials.unavailable": (
        "⚠️ {bank} ne répond pas pour le moment. Rien n'a changé ; réessayez dans quelques "
        "minutes avec /credentials."
    ),
    "credentials.other_accounts": (
        "❌ Ces identifiants ouvrent d'autres comptes que ceux connectés à Pointage pour "
        "{bank}. Rien n'a changé."
    ),
    "credentials.consent": (
        "<b>{bank}</b> — Renouveler l'autorisation\n"
        "Ouvrez ce lien, autorisez l'accès sur le site de votre banque, puis revenez ici :\n"
        "{link}"
    ),
    "credentials.done": (
        "✅ Identifiants de <b>{bank}</b> mis à jour : la connexion est de nouveau active."
    ),
    "credentials.cancelled": "Modification annulée. Rien n'a changé.",
    "credentials.timeout": (
        "⌛ Modification abandonnée faute de réponse ; rien n'a changé. "
        "/credentials pour recommencer."
    ),
    "credentials.restarted": (
        "🔄 Pointage a redémarré pendant la modification de vos identifiants ; rien n'a "
        "changé et votre message a été effacé. /credentials pour recommencer."
    ),
    "credentials.gone": "Cette banque est déconnectée : /connect pour la reconnecter.",
    "btn.authorised": "J'ai autorisé",
    # /disconnect
    "disconnect.none": "Aucune banque connectée : rien à déconnecter.",
    "disconnect.pick": "<b>Déconnecter</b> : quelle banque ?",
    "disconnect.confirm": (
        "<b>Déconnecter {bank} ?</b>\n\n"
        "Déconnecter ne veut pas dire supprimer :\n"
        "• vos comptes restent dans le plan comptable, avec toutes les opérations déjà "
        "importées ;\n"
        "• les opérations à passer en revue restent à passer en revue ;\n"
        "• les nouvelles opérations n'arriveront plus ;\n"
        "• vos identifiants sont effacés et l'autorisation donnée à la banque est révoquée.\n\n"
        "Vous pourrez la reconnecter avec /connect, sans doublons."
    ),
    "disconnect.working": "⏳ Déconnexion de {bank}…",
    "disconnect.done": (
        "✅ <b>{bank}</b> est déconnectée et vos identifiants sont effacés.\n"
        "Vos comptes et vos opérations restent dans vos livres. /connect pour la reconnecter."
    ),
    "disconnect.to_review": "{count} opérations restent à passer en revue : /review",
    "disconnect.to_review_one": "1 opération reste à passer en revue : /review",
    "disconnect.not_revoked": (
        "ℹ️ La banque n'a pas pu confirmer la révocation de l'autorisation ; Pointage n'a plus "
        "rien pour s'y connecter."
    ),
    "disconnect.already": "{bank} est déjà déconnectée.",
    # /deletemydata
    "delete.confirm": (
        "⚠️ <b>Effacer toutes vos données ?</b>\n\n"
        "Vos livres, comptes, opérations, règles, connexions bancaires et identifiants seront "
        "effacés définitivement, et les autorisations données aux banques révoquées. "
        "Rien ne pourra être récupéré."
    ),
    "delete.working": "⏳ Effacement en cours…",
    "delete.done": (
        "✅ Toutes vos données sont effacées, vos identifiants bancaires détruits et les "
        "autorisations révoquées.\n/start si vous souhaitez recommencer."
    ),
    "delete.nothing": "Pointage ne garde aucune donnée à votre nom : rien à effacer.",
    "delete.expired": "Cette confirmation a expiré : /deletemydata pour recommencer.",
    # buttons
    "btn.refresh": "🔄 Mettre à jour",
    "btn.refresh_all": "🔄 Tout mettre à jour",
    "btn.refresh_n": "{n} 🔄 Mettre à jour",
    "btn.retry": "🔄 Réessayer",
    "btn.credentials": "🔑 Modifier les identifiants",
    "btn.credentials_n": "{n} 🔑 Identifiants",
    "btn.renew": "🔑 Renouveler",
    "btn.disconnect": "🔌 Déconnecter",
    "btn.disconnect_n": "{n} 🔌 Déconnecter",
    "btn.confirm_disconnect": "🔌 Oui, déconnecter",
    "btn.confirm_erase": "🗑 Oui, tout effacer",
}
