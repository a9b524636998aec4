"""Payee normalisation on real-looking French and English bank labels."""

from __future__ import annotations

import pytest

from bot.banks.demo import data as demo_data
from bot.categorize.payees import label_details, normalize_payee, squeeze

LABELS: list[tuple[str, str]] = [
    # card payments, the three French styles and their variants
    ("CB CARREFOUR 12/03", "CARREFOUR"),
    ("CB CARREFOUR CITY 12/03", "CARREFOUR CITY"),
    ("CARTE X1234 12/03 SNCF INTERNET", "SNCF INTERNET"),
    ("CARTE X4821 01/10 GOOGLE *WORKSPACE", "GOOGLE WORKSPACE"),
    ("PAIEMENT PAR CARTE X4821 TOTALENERGIES ST OUEN 05/05", "TOTALENERGIES"),
    ("PAIEMENT PAR CARTE X4821 MICROSOFT*365 11/03", "MICROSOFT"),
    ("FACTURE CARTE DU 120324 AMAZON PAYMENTS", "AMAZON PAYMENTS"),
    ("CB AMZN MKTP FR 01/05", "AMZN MKTP"),
    ("CB AMZN MKTP FR*2X3Y4Z5 12/03", "AMZN MKTP"),
    ("CB SHELL PARIS BERCY 01/01", "SHELL"),
    ("CARTE X7730 02/08 SHELL A6 AIRE DE NEMOURS", "SHELL"),
    ("CB ESSO EXPRESS VINCENNES 02/02", "ESSO EXPRESS"),
    ("CARTE X7730 04/05 HOTEL IBIS LYON PART DIEU", "HOTEL IBIS"),
    ("CARTE X7730 02/03 MERCURE LILLE CENTRE GRAND PLACE", "MERCURE"),
    ("CARTE X7730 05/10 AIR FRANCE", "AIR FRANCE"),
    ("CARTE X7730 19/01 ZOOM.US", "ZOOM.US"),
    ("CB UBER *TRIP 01/08", "UBER TRIP"),
    ("CB Café de la Gare 12/03", "CAFE DE LA GARE"),
    ("CB CAFE DE PARIS 12/03", "CAFE DE PARIS"),
    ("CB SUMUP *LE FOURNIL 12/03", "LE FOURNIL"),
    ("ACHAT CB MONOPRIX 12.03.24 CARTE NUMERO 123", "MONOPRIX"),
    ("CB MONOPRIX PARIS 15 12/03/24", "MONOPRIX"),
    ("PAIEMENT CB 1203 LECLERC DRIVE", "LECLERC DRIVE"),
    ("AVOIR CB AMAZON PAYMENTS 05/07", "AMAZON PAYMENTS"),
    ("RETRAIT DAB 03/02 PARIS 11E", "RETRAIT DAB"),
    ("CB BOULANGERIE PAUL 12/03 14H32", "BOULANGERIE PAUL"),
    # direct debits
    ("PRLV SEPA URSSAF ILE DE FRANCE ECHEANCE 01/2025", "URSSAF ILE DE FRANCE"),
    ("PRLV SEPA URSSAF ILE DE FRANCE ECH/120324 ID EMETTEUR/FR12ZZZ123456", "URSSAF ILE DE FRANCE"),
    ("PRLV SEPA ORANGE SA LIVEBOX PRO 01/2025", "ORANGE SA"),
    ("PRLV SEPA DGFIP IMPOT TVA CA3 01/2025", "DGFIP"),
    ("PRLV SEPA EDF", "EDF"),
    ("PRLV SEPA FREE MOBILE", "FREE MOBILE"),
    ("PRELEVEMENT SEPA MMA IARD RUM MMA-2024-998877 ICS FR55ZZZ445566", "MMA IARD"),
    (
        "PRELEVEMENT EUROPEEN 4412345 DE: EDF CLIENTS PARTICULIERS ID: FR12ZZZ MOTIF: FACT",
        "EDF CLIENTS PARTICULIERS",
    ),
    ("Prélèvement SEPA Société Générale Assurances réf 998877", "SOCIETE GENERALE ASSURANCES"),
    # transfers
    ("VIR SEPA RECU /DE ACME SAS /MOTIF FACT 2024-12", "ACME SAS"),
    ("VIR INST EMIS /VERS JEAN DUPONT", "JEAN DUPONT"),
    ("VIR INST EMIS /VERS THOMAS LEROY EI /MOTIF FACTURE TL-2024-20", "THOMAS LEROY EI"),
    ("VIR PERMANENT /VERS SCI LES TILLEULS /MOTIF LOYER BUREAU 01/2025", "SCI LES TILLEULS"),
    (
        "VIR SEPA RECU /DE VALMONT INDUSTRIES SA /MOTIF FACTURE 2025-009 /REF VI951282",
        "VALMONT INDUSTRIES SA",
    ),
    (
        "VIR SEPA RECU /DE DRFIP ILE DE FRANCE ET PARIS /MOTIF MANDAT 055849",
        "DRFIP ILE DE FRANCE ET PARIS",
    ),
    ("VIREMENT SEPA RECU DE NEXADIS SAS REF 2025-003", "NEXADIS SAS"),
    ("VIR RECU 7712345 DE: LUMEN CONSEIL MOTIF: FACT 36 REF: 99", "LUMEN CONSEIL"),
    ("VIREMENT EN VOTRE FAVEUR ATELIERS DURAND", "ATELIERS DURAND"),
    ("VIR INTERNE /VERS LIVRET PRO", "LIVRET PRO"),
    # the bank's own lines
    ("FRAIS TENUE DE COMPTE", "FRAIS TENUE DE COMPTE"),
    ("COTISATION CARTE BUSINESS", "COTISATION CARTE BUSINESS"),
    ("DEBIT MENSUEL CARTE X7730 AU 28/02", "DEBIT MENSUEL CARTE"),
    ("INTERETS CREDITEURS AU 30/06/25", "INTERETS CREDITEURS"),
    # English-style labels
    ("CARD PAYMENT TO TESCO STORES 1234 ON 12 MAR", "TESCO STORES"),
    ("CARD PAYMENT TO PRET A MANGER LONDON ON 03 APR 2025", "PRET A MANGER"),
    ("CONTACTLESS PAYMENT COSTA COFFEE 4431", "COSTA COFFEE"),
    ("DIRECT DEBIT HMRC", "HMRC"),
    ("DIRECT DEBIT PAYMENT TO BRITISH GAS REF 88120033", "BRITISH GAS"),
    ("FASTER PAYMENT ACME LTD", "ACME LTD"),
    ("FASTER PAYMENT RECEIVED FROM ACME LTD REF INV-1234", "ACME LTD"),
    ("STANDING ORDER TO LANDLORD LTD", "LANDLORD LTD"),
    ("CASH WITHDRAWAL 12MAR HIGH STREET", "CASH WITHDRAWAL"),
    ("POS 4821 12MAR24 SAINSBURYS", "SAINSBURYS"),
]


@pytest.mark.parametrize(("label", "payee"), LABELS)
def test_label_normalises_to_the_payee_people_recognise(label: str, payee: str) -> None:
    assert normalize_payee(label) == payee


def test_the_table_holds_at_least_forty_labels() -> None:
    assert len(LABELS) >= 40


def test_dates_card_numbers_and_accents_do_not_change_the_payee() -> None:
    assert normalize_payee("CB CARREFOUR 12/03") == normalize_payee("cb  Carrefour 01/11")
    assert normalize_payee("CARTE X1234 12/03 SNCF") == normalize_payee("CARTE X9876 30/12 SNCF")
    assert normalize_payee("CB Crêperie Ty Breizh") == "CREPERIE TY BREIZH"


def test_every_demo_card_merchant_keeps_its_brand() -> None:
    merchants = (
        *demo_data.DAILY_MERCHANTS,
        *demo_data.BUSINESS_CARD_MERCHANTS,
        demo_data.TRAIN,
        demo_data.FLIGHT,
        *demo_data.TAXIS,
    )
    for merchant in merchants:
        brand = squeeze(merchant.name).replace("*", " ").split()[0]
        for label in (
            f"CB {merchant.name} 12/03",
            f"CARTE X4821 12/03 {merchant.name}",
            f"PAIEMENT PAR CARTE X7730 {merchant.name} 12/03",
        ):
            payee = normalize_payee(label)
            assert payee.split()[0] == brand, (label, payee)
            assert "X4821" not in payee and "12" not in payee.split()


def test_demo_bills_and_transfers_give_their_counterparty() -> None:
    for bill in demo_data.BILLS:
        payee = normalize_payee(bill.label.format(period="03/2025", year=2025))
        assert payee and not any(c.isdigit() for c in payee), (bill.label, payee)
    for party in (*demo_data.CLIENTS, *demo_data.SUPPLIERS):
        label = party.label.format(invoice="2025-004", period="03/2025", year=2025, ref="42")
        payee = normalize_payee(label)
        assert "MOTIF" not in payee and not any(c.isdigit() for c in payee), (label, payee)


def test_an_unreadable_label_keeps_its_words() -> None:
    assert normalize_payee("XYZ 123") == "XYZ"
    assert normalize_payee("12/03") == "12/03"


def test_label_details_are_the_words_beyond_the_payee() -> None:
    vat = "PRLV SEPA DGFIP IMPOT TVA CA3 01/2025"
    cfe = "PRLV SEPA DGFIP IMPOT CFE 2025"
    assert "TVA" in label_details(vat, normalize_payee(vat))
    assert "CFE" in label_details(cfe, normalize_payee(cfe))
    card = "CB SHELL PARIS BERCY 01/01"
    assert label_details(card, normalize_payee(card)) == frozenset()
    refund = "AVOIR CB AMAZON PAYMENTS 05/07"
    assert label_details(refund, normalize_payee(refund)) == {"AVOIR"}
