"""The French Plan comptable général, trimmed to what a freelancer or small business uses."""

from __future__ import annotations

from bot.charts import AccountKind, ChartAccount, ChartTemplate

_K = AccountKind

# Labels are the PCG's, shortened where the glossary (shared/GLOSSARY.md) says so.
_ACCOUNTS: tuple[tuple[str, str, AccountKind], ...] = (
    # Classe 1 — capitaux
    ("101", "Capital", _K.EQUITY),
    ("108", "Compte de l'exploitant", _K.OWNER),
    # Classe 4 — tiers
    ("401", "Fournisseurs", _K.PAYABLE),
    ("411", "Clients", _K.RECEIVABLE),
    ("444", "État – impôts sur les bénéfices", _K.TAX),
    ("44551", "TVA à décaisser", _K.VAT),
    ("44566", "TVA déductible", _K.VAT),
    ("44567", "Crédit de TVA à reporter", _K.VAT),
    ("44571", "TVA collectée", _K.VAT),
    ("471", "Compte d'attente", _K.SUSPENSE),
    # Classe 5 — financiers
    ("512", "Banque", _K.BANK),
    ("530", "Caisse", _K.CASH),
    ("580", "Virements internes", _K.TRANSFER),
    # Classe 6 — charges
    ("604", "Achats d'études et prestations de services", _K.EXPENSE),
    ("6061", "Fournitures non stockables (eau, énergie)", _K.EXPENSE),
    ("6063", "Fournitures d'entretien et petit équipement", _K.EXPENSE),
    ("6064", "Fournitures administratives", _K.EXPENSE),
    ("6068", "Autres matières et fournitures", _K.EXPENSE),
    ("607", "Achats de marchandises", _K.EXPENSE),
    ("611", "Sous-traitance générale", _K.EXPENSE),
    ("6132", "Locations immobilières", _K.EXPENSE),
    ("6135", "Locations mobilières", _K.EXPENSE),
    ("614", "Charges locatives et de copropriété", _K.EXPENSE),
    ("6155", "Entretien et réparations sur biens mobiliers", _K.EXPENSE),
    ("6156", "Maintenance", _K.EXPENSE),
    ("616", "Primes d'assurance", _K.EXPENSE),
    ("6181", "Documentation générale", _K.EXPENSE),
    ("6185", "Frais de colloques, séminaires, conférences", _K.EXPENSE),
    ("6226", "Honoraires", _K.EXPENSE),
    ("6227", "Frais d'actes et de contentieux", _K.EXPENSE),
    ("6231", "Annonces et insertions", _K.EXPENSE),
    ("6234", "Cadeaux à la clientèle", _K.EXPENSE),
    ("6251", "Voyages et déplacements", _K.EXPENSE),
    ("6256", "Missions", _K.EXPENSE),
    ("6257", "Réceptions", _K.EXPENSE),
    ("626", "Frais postaux et de télécommunications", _K.EXPENSE),
    ("627", "Services bancaires", _K.EXPENSE),
    ("6281", "Concours divers (cotisations…)", _K.EXPENSE),
    ("63511", "Contribution économique territoriale", _K.EXPENSE),
    ("63512", "Taxes foncières", _K.EXPENSE),
    ("6354", "Droits d'enregistrement et de timbre", _K.EXPENSE),
    ("641", "Rémunérations du personnel", _K.EXPENSE),
    ("645", "Charges de sécurité sociale", _K.EXPENSE),
    ("646", "Cotisations sociales personnelles de l'exploitant", _K.EXPENSE),
    ("658", "Charges diverses de gestion courante", _K.EXPENSE),
    ("661", "Charges d'intérêts", _K.EXPENSE),
    # Classe 7 — produits
    ("706", "Prestations de services", _K.INCOME),
    ("707", "Ventes de marchandises", _K.INCOME),
    ("708", "Produits des activités annexes", _K.INCOME),
    ("758", "Produits divers de gestion courante", _K.INCOME),
    ("768", "Autres produits financiers", _K.INCOME),
    # Classe 8 — comptes spéciaux
    ("890", "Bilan d'ouverture", _K.OPENING),
)

FR_PCG = ChartTemplate(
    key="fr_pcg",
    accounts=tuple(ChartAccount(code, name, kind) for code, name, kind in _ACCOUNTS),
    bank_code="512",
    owner_code="108",
    suspense_code="471",
    transfer_code="580",
    opening_code="890",
    bank_code_style="suffix",
)
