"""German phrase bank of the demo company (our own text; data only, no logic).

Templates use ``{slots}`` filled from ``SLOTS``; every template names the company, a product
or a competitor (so the matcher keeps it), except those under ``noise``.
"""

SLOTS: dict[str, list[str]] = {
    "brand": ["Hafenlicht", "Hafenlicht", "Hafenlicht", "@hafenlicht", "Hafenlicht Energie", "hafenlicht",
              "#Hafenlicht", "HAFENLICHT"],
    "brand_gen": ["Hafenlichts", "von Hafenlicht", "bei Hafenlicht"],
    "app": ["Hafenlicht App", "Hafenlicht-App", "Hafenlicht app", "hafenlicht-app"],
    "box": ["LichtBox", "Lichtbox", "#LichtBox", "LichtBox von Hafenlicht"],
    "comp": ["Stromwerk Nord", "Stromwerk Nord", "Stromwerk", "GrünFluss", "GrünFluss", "Gruenfluss"],
    "hours": ["2", "3", "drei", "vier", "1,5", "5", "zwei"],
    "mins": ["20", "35", "45", "50", "90", "40"],
    "euro": ["12", "18", "23", "27", "31", "35", "42", "9,50", "56"],
    "pct": ["14", "17", "19", "21", "23", "11"],
    "month": ["Januar", "Februar", "März", "dem 1. Januar", "dem Jahreswechsel", "nächstem Monat"],
    "place": ["Altona", "Barmbek", "Eimsbüttel", "Harburg", "Wandsbek", "Bergedorf", "Ottensen", "Winterhude",
              "Pinneberg", "Norderstedt", "Lüneburg"],
    "kwh": ["2.400", "3.100", "1.800", "4.200", "2.750"],
    "who": ["Meine Mutter", "Mein Nachbar", "Meine Oma", "Ein Kollege", "Meine Schwester", "Mein Vermieter"],
}

OPENERS = ["", "", "", "", "Moin, ", "Ehrlich jetzt: ", "Kurze Frage: ", "Also ", "Mal ehrlich, ", "Ähm, ",
           "Puh. ", "Hallo zusammen, ", "Update: ", "Na toll. ", "Leute, "]
CLOSERS = ["", "", "", "", " Danke!", " Grüße aus {place}", " Echt jetzt?", " Mal sehen.", " Wer noch?",
           " Unfassbar.", " Ist das normal?", " Schönen Abend noch.", " Hamburg halt."]

TOPICS: dict[str, list[str]] = {
    "outage": [
        "Die {app} geht seit heute morgen nicht. Kein Login, nichts.",
        "Ist {brand} down? Kundenportal lädt seit {mins} Minuten nur einen weißen Bildschirm.",
        "Danke für {hours} Stunden Warteschleife, {brand}. Wirklich großartiger Service.",
        "Super, die {app} zeigt 'Wartungsarbeiten'. Mitten am Vormittag. Wer plant sowas?",
        "Störung bei {brand}? App und Portal tot, Hotline dauerbesetzt.",
        "Ich wollte nur meinen Zählerstand eintragen. {app}: Fehler 503. Portal: Fehler 503. Toll.",
        "{brand}, euer Portal ist seit Stunden offline und keiner sagt was. Das ist einfach schlecht.",
        "Hotline von {brand}: 'Aufgrund hoher Nachfrage...' ja, weil eure App nicht geht!",
        "Bei mir geht die {app} auch nicht. Gut, dass ich nicht der einzige bin.",
        "Kann mir jemand sagen, ob {brand} gerade Probleme hat? Ich komme nicht ins Kundenkonto.",
        "Wie kann ein Energieversorger im Jahr 2026 kein funktionierendes Kundenportal haben? {brand}, ernsthaft.",
        "Die {app} stürzt beim Öffnen sofort ab. Neu installiert, hilft nicht.",
        "Liebes {brand}-Team, ich bin normalerweise geduldig, aber {hours} Stunden ohne Infos ist zu viel.",
        "Wow, {brand}. Statusseite sagt 'alle Systeme laufen'. Die App sagt was anderes.",
        "Na klar, genau heute will ich die Abschläge ändern und die {app} ist tot. Läuft bei {brand}.",
        "Die {app} hat mich dreimal ausgeloggt und jetzt komme ich gar nicht mehr rein. Danke für nichts.",
        "Ausfall bei {brand}: Portal, App und Chat sind weg. Hoffentlich nur die IT und nicht der Strom.",
        "Der Chatbot {brand_gen} antwortet nur noch mit 'Entschuldigung, das habe ich nicht verstanden'.",
        "{brand} App down, Hotline {mins} Minuten Wartezeit, Mail kommt zurück. Was ist da los?",
        "Ich zahle doch nicht für einen Anbieter, der nicht mal seine App am Laufen hält. {brand}, bitte fixen.",
    ],
    "outage_after": [
        "Die {app} läuft wieder. Aber eine Erklärung von {brand} wäre schon nett.",
        "Gestern der Totalausfall, heute geht das Portal wieder. Gibt's von {brand} eine Entschuldigung?",
        "{brand} hat sich für die Störung entschuldigt. Immerhin, aber es hat lange gedauert.",
        "Bei mir hängt die {app} immer noch beim Login. Geht das noch jemandem so?",
        "Nach dem Ausfall bei {brand} frage ich mich, wie sicher meine Daten da eigentlich sind.",
        "Zählerstand endlich übermittelt. Die {app} funktioniert wieder, aber langsam.",
        "Ehrlich gesagt hat mich die Störung {brand_gen} nicht überrascht. Die App war schon vorher wackelig.",
        "Der Ausfall bei {brand} war ärgerlich, aber die Entschuldigung klang ehrlich. Ich bleibe erstmal.",
    ],
    "pricing": [
        "Heute den Brief von {brand} bekommen: {pct} Prozent teurer ab {month}. Danke auch.",
        "Preiserhöhung bei {brand}. Abschlag steigt um {euro} Euro im Monat. Zeit zu wechseln?",
        "{brand} erhöht die Preise, obwohl der Börsenstrompreis fällt. Wie passt das zusammen?",
        "Der Brief {brand_gen} zur Preisanpassung ist so formuliert, dass man ihn dreimal lesen muss.",
        "Grundgebühr rauf, Arbeitspreis rauf. {brand} macht es einem leicht, über einen Wechsel nachzudenken.",
        "Sonderkündigungsrecht wegen der Preiserhöhung bei {brand} – hat das schon jemand genutzt?",
        "Bei {brand} wird es ab {month} teurer. Ich verstehe die Gründe, aber {pct} Prozent sind heftig.",
        "Die Preiserhöhung von {brand} ist ärgerlich, aber immerhin kommunizieren sie es rechtzeitig.",
        "Nicht schlecht, {brand}: erst Treuebonus versprechen, dann Preise erhöhen. 👏",
        "Neuer Tarif bei {brand}: {euro} Euro mehr im Monat für denselben Strom. Kein Kommentar.",
        "Hat {brand} euch auch die Preiserhöhung geschickt? Wie viel mehr zahlt ihr jetzt?",
        "Die Preise {brand_gen} sind jetzt höher als bei {comp}. Das war mal anders.",
        "Ich bin seit acht Jahren bei {brand} und bekomme als Dank eine Preiserhöhung.",
        "Fairerweise: {brand} ist trotz Erhöhung nicht der teuerste Anbieter in {place}.",
    ],
    "privacy": [
        "Welche Daten schickt das Smart Meter eigentlich an {brand}? Viertelstundenwerte?",
        "Frage an {brand}: Wer hat Zugriff auf meine Verbrauchsdaten aus dem Smart Meter?",
        "Laut Datenschutzerklärung {brand_gen} werden Daten an 'Partner' weitergegeben. Welche Partner?",
        "Ich habe bei {brand} eine DSGVO-Auskunft angefordert. Mal sehen, was kommt.",
        "Die {app} will Standortzugriff. Wozu braucht ein Stromanbieter meinen Standort?",
        "Smart Meter von {brand} eingebaut bekommen. Kann man die Datenübertragung einschränken?",
        "Datenschutz bei {brand}: Nach Art. 15 DSGVO Auskunft beantragt, nach {hours} Wochen keine Antwort.",
        "Die {app} hat drei Tracker drin. Muss das bei einem Energieversorger sein?",
        "Ich finde gut, dass {brand} die Smart-Meter-Daten nur auf Wunsch für Tarife nutzt.",
        "Kann mir jemand erklären, ob die {box} Daten in die Cloud schickt oder lokal bleibt?",
    ],
    "launch": [
        "Die {box} ist da! Installation hat zwei Stunden gedauert, läuft perfekt.",
        "Erste Woche mit der {box}: {kwh} Wh am Abend aus dem Speicher statt aus dem Netz. Top!",
        "Ich hätte nicht gedacht, dass {brand} so einen guten Heimspeicher baut. {box} ist klasse.",
        "Die {box} plus Balkonkraftwerk ist echt ein super Team. Danke {brand}!",
        "Endlich ein Speicher ohne Abo-Falle. Die {box} gefällt mir richtig gut.",
        "Die Einrichtung der {box} über die {app} war überraschend einfach.",
        "Nicht schlecht, die {box}. Leise, kompakt, und die Anzeige in der App ist verständlich.",
        "Wer hat schon die {box}? Lohnt sich das bei {kwh} kWh Jahresverbrauch?",
        "Der Installateur von {brand} war pünktlich, freundlich und hat alles erklärt. So geht Service.",
        "{box} bestellt! Bin gespannt, ob sie hält, was {brand} verspricht.",
        "Ich kann mich nicht beschweren: Die {box} läuft seit drei Wochen ohne Probleme.",
        "Mit der {box} sieht man endlich, wie viel Solarstrom man selbst nutzt. Macht richtig Spaß.",
    ],
    "lichtbox_gripe": [
        "Die {box} ist seit sechs Wochen bestellt, Liefertermin wurde zweimal verschoben.",
        "Meine {box} zeigt in der App nur noch 'offline'. Support sagt, ein Update kommt.",
        "Die {box} ist gut, aber der Preis ist für einen Speicher dieser Größe ziemlich hoch.",
        "Warum kann man die {box} nicht ohne die {app} einrichten? Kein lokales Interface?",
    ],
    "employer": [
        "Bei {brand} gibt es jetzt einen Betriebsrat für die Servicecenter. Gute Sache.",
        "Der Betriebsrat {brand_gen} kritisiert die neue Schichtplanung im Kundenservice.",
        "Ich mache meine Ausbildung bei {brand} und bin echt zufrieden. Tolles Team!",
        "{brand} sucht Azubis für Elektronik und Kaufleute. Die Ausbildungsvergütung ist ordentlich.",
        "Ex-Kollegen sagen, bei {brand} wird man im Callcenter ganz schön durchgetaktet.",
        "Hat jemand Erfahrung mit {brand} als Arbeitgeber? Überlege, mich für die IT zu bewerben.",
        "Der Streit zwischen Betriebsrat und Geschäftsführung bei {brand} geht in die nächste Runde.",
        "Schön zu sehen, dass {brand} Azubis übernimmt. Ist nicht selbstverständlich.",
        "Bewerbungsgespräch bei {brand} war angenehm, kein Stress, faire Fragen.",
        "Die Gehälter bei {brand} im Kundenservice sind nicht gerade berauschend, hört man.",
    ],
    "q_billing": [
        "Warum hat {brand} mir diesen Monat zweimal abgebucht? Wer kann helfen?",
        "Meine Jahresabrechnung von {brand} ist immer noch nicht da. Normal?",
        "{brand}, ich habe eine Gutschrift von {euro} Euro, wann wird die ausgezahlt?",
        "Rechnung von {brand} verstehe ich nicht: Was ist die Position 'Messstellenbetrieb'?",
        "Lastschrift bei {brand} ist geplatzt, weil falsch abgebucht wurde. Wie kläre ich das?",
    ],
    "q_abschlag": [
        "Wie kann ich bei {brand} den Abschlag senken? Finde die Option nicht.",
        "Mein Abschlag bei {brand} ist {euro} Euro höher als nötig. Kann man das anpassen?",
        "{brand} hat den Abschlag einfach erhöht, ohne zu fragen. Darf das?",
        "Frage: Wird der Abschlag bei {brand} nach der Preiserhöhung automatisch angepasst?",
    ],
    "q_move": [
        "Ich ziehe nach {place}. Wie melde ich den Umzug bei {brand}?",
        "Umzug nächsten Monat, kann ich meinen {brand}-Vertrag mitnehmen?",
        "Wohnung in {place} übernommen, Zählerstand schon gemeldet. {brand}, wie geht's weiter?",
        "Muss ich bei {brand} kündigen, wenn ich zu meiner Freundin ziehe, die bei {comp} ist?",
    ],
    "q_login": [
        "Passwort vergessen und die {app} schickt keine Mail. Was tun?",
        "Wie bekomme ich die Zwei-Faktor-Anmeldung in der {app} wieder weg? Neues Handy.",
        "Die {app} sagt 'Kundennummer unbekannt'. Die steht aber so auf der Rechnung.",
        "Kann ich mit zwei Verträgen in der {app} angemeldet sein?",
    ],
    "competitor": [
        "Gewechselt von {brand} zu {comp}: {euro} Euro im Jahr gespart.",
        "{comp} oder {brand}? Wer hat den besseren Service in Hamburg?",
        "Bei {comp} ist die Hotline auch nicht besser als bei {brand}, nur so als Info.",
        "{comp} wirbt gerade aggressiv mit Wechselbonus. Lohnt sich das gegenüber {brand}?",
        "Bin zu {comp} gewechselt, nach einem Monat zurück zu {brand}. Manchmal ist das Gras nicht grüner.",
        "Ökostrom-Vergleich: {brand} vs. {comp}. Beide mit Herkunftsnachweis, {brand} etwas teurer.",
        "Ein Freund schwört auf {comp}, ich bleibe bei {brand}. Bisher keine Probleme.",
        "{comp} hat keine eigene App, das ist für mich das Argument für {brand}.",
        "Preisvergleich gemacht: {comp} ist {euro} Euro günstiger als {brand} im Jahr.",
    ],
    "general": [
        "Seit drei Jahren Ökostrom von {brand}, nie Probleme gehabt.",
        "Zählerstand in der {app} eingetragen, ging in 30 Sekunden. So soll das sein.",
        "{who} ist auch zu {brand} gewechselt. Läuft.",
        "Die Mitarbeiterin an der Hotline {brand_gen} war super freundlich. Danke!",
        "{brand} sponsert jetzt die Jugendmannschaft vom SV {place}. Nette Geste.",
        "Die Energiespartipps in der {app} sind tatsächlich hilfreich.",
        "{brand} hat mir ohne Nachfrage die Gutschrift überwiesen. Kein Grund zur Klage.",
        "Heute Post von {brand} bekommen, Jahresabrechnung: {euro} Euro zurück. 🎉",
        "Hab ihr auch die Werbung von {brand} an der Bushaltestelle in {place} gesehen?",
        "Neue Funktion in der {app}: Verbrauch pro Tag. Nett.",
    ],
    "comment": [
        "Bei mir mit {brand} genauso.",
        "Same bei {brand}, seit gestern.",
        "Ich hatte das auch mit {brand}, nach einer Mail an den Service ging es.",
        "{brand} antwortet auf Instagram meist schneller als per Mail.",
        "Kann ich für {brand} nicht bestätigen, bei mir läuft alles.",
        "Wechsel doch zu {comp}, da hatte ich nie so Stress.",
        "Hast du {brand} schon mal direkt angeschrieben?",
        "Das hat {brand} bei mir innerhalb von zwei Tagen geklärt.",
    ],
    "noise": [
        "Wer geht dieses Jahr zum Hafenlicht Festival? Line-up ist stark!",
        "Strompreise in Deutschland: Was sagt ihr zu den Netzentgelten?",
        "Schöner Sonnenuntergang an den Landungsbrücken heute. 🌅",
        "Balkonkraftwerk angemeldet, jetzt warten auf den Zählertausch.",
    ],
}

REDDIT_TITLES: dict[str, list[str]] = {
    "outage": ["Hafenlicht App und Portal down?", "Hafenlicht Störung – geht bei euch was?",
               "Hafenlicht: seit Stunden kein Login möglich"],
    "pricing": ["Preiserhöhung bei Hafenlicht – lohnt sich der Wechsel?", "Brief von Hafenlicht: +{pct} %",
                "Hafenlicht erhöht die Preise, Sonderkündigung?"],
    "privacy": ["Smart Meter Daten bei Hafenlicht", "DSGVO-Auskunft bei Hafenlicht – Erfahrungen?"],
    "launch": ["Erfahrungen mit der LichtBox?", "LichtBox nach einem Monat – mein Fazit"],
    "employer": ["Hafenlicht als Arbeitgeber?", "Ausbildung bei Hafenlicht Energie"],
    "competitor": ["Stromwerk Nord vs Hafenlicht", "Von Hafenlicht zu GrünFluss gewechselt – Erfahrungsbericht"],
    "question": ["Frage zu Hafenlicht Abschlag", "Umzug mit Hafenlicht – wie läuft das?"],
}

NEWS: dict[str, list[tuple[str, str]]] = {
    "outage": [("Störung bei Hafenlicht: Kundenportal stundenlang nicht erreichbar",
                "Kunden des Hamburger Energieversorgers konnten am Morgen weder App noch Portal nutzen."),
               ("Hafenlicht entschuldigt sich für IT-Ausfall",
                "Nach dem Ausfall des Kundenportals nennt Hafenlicht ein fehlerhaftes Update als Ursache.")],
    "pricing": [("Hafenlicht erhöht Strompreise um bis zu {pct} Prozent",
                 "Der Versorger begründet den Schritt mit gestiegenen Netzentgelten."),
                ("Verbraucherzentrale: Kunden von Hafenlicht können sonderkündigen",
                 "Nach der Preisankündigung weisen Verbraucherschützer auf das Sonderkündigungsrecht hin.")],
    "privacy": [("Smart Meter: Was Hafenlicht mit Verbrauchsdaten macht",
                 "Der Versorger nutzt Viertelstundenwerte nur mit Einwilligung, sagt ein Sprecher.")],
    "launch": [("Hafenlicht bringt Heimspeicher LichtBox auf den Markt",
                "Der Speicher soll Solarstrom vom Balkon und Dach für den Abend nutzbar machen."),
               ("LichtBox im Test: solider Speicher mit guter App",
                "Im Praxistest überzeugt der Heimspeicher von Hafenlicht mit einfacher Einrichtung.")],
    "employer": [("Betriebsratswahl bei Hafenlicht Energie",
                  "Im Kundenservice des Versorgers wird erstmals ein Betriebsrat gewählt."),
                 ("Hafenlicht bildet mehr Azubis aus",
                  "Der Versorger erhöht die Zahl der Ausbildungsplätze in Technik und Service.")],
    "competitor": [("Stromwerk Nord und Hafenlicht im Preisvergleich",
                    "Ein Vergleich der Grundversorgungstarife in Hamburg zeigt deutliche Unterschiede."),
                   ("GrünFluss wirbt Kunden mit Wechselbonus",
                    "Der Ökostromanbieter setzt auf Kunden, die von Hafenlicht und anderen wechseln wollen.")],
    "general": [("Hafenlicht sponsert Energiespar-Projekt an Schulen",
                 "Schulen in {place} erhalten Messgeräte und Unterrichtsmaterial."),
                ("Hafenlicht baut Ladesäulen in {place}",
                 "Der Versorger will bis Ende des Jahres zwölf öffentliche Ladepunkte in Betrieb nehmen."),
                ("Hamburger Versorger Hafenlicht meldet mehr Ökostromkunden",
                 "Die Zahl der Kunden ist im Jahresvergleich gestiegen, der Gewinn leicht gesunken."),
                ("Hafenlicht und Stadtwerke-Verbund starten Wärmepumpen-Beratung",
                 "Hausbesitzer können sich kostenlos zu Tarifen für Wärmepumpen beraten lassen.")],
}

OWN: dict[str, list[str]] = {
    "outage": [
        "Aktuell gibt es eine Störung in App und Kundenportal. Wir arbeiten mit Hochdruck daran. "
        "Status: hafenlicht.example/status",
        "Update: Die Störung ist behoben, App und Portal laufen wieder. Entschuldigt bitte die Unannehmlichkeiten.",
        "Das tut uns sehr leid. Die Störung betrifft App und Portal, die Stromversorgung läuft normal. ^{sig}",
    ],
    "post": [  # by index: 0 launch, 1 price explanation, 2 app feature
        "Die LichtBox ist da! Unser Heimspeicher für Balkon und Dach. Alle Infos: hafenlicht.example/lichtbox",
        "Zur Preisanpassung: Hier erklären wir, welche Kosten gestiegen sind: hafenlicht.example/preise",
        "Neu in der App: Verbrauch pro Tag und Energiespartipps. Jetzt aktualisieren!",
    ],
    "jobs": [
        "Wir suchen Azubis (m/w/d) für Elektronik für Energie- und Gebäudetechnik in Hamburg. "
        "Bewerbung: hafenlicht.example/karriere",
        "Ausbildung zum Kaufmann/zur Kauffrau für Büromanagement bei uns in Hamburg – jetzt bewerben: "
        "hafenlicht.example/karriere",
        "Unser Kundenservice wächst! Wir suchen Verstärkung in Voll- und Teilzeit: hafenlicht.example/karriere",
        "Duales Studium Informatik bei Hafenlicht: Theorie an der Hochschule, Praxis in unserem App-Team.",
    ],
}

# The company's answers: greeting + an answer that fits the question + sign-off + the agent's initials.
GREETINGS = ["Hallo!", "Moin!", "Hi!", "Hallo,", "Moin moin,", "Guten Tag,"]
SIGN_OFFS = ["", "", "Viele Grüße", "Beste Grüße", "Danke für deine Geduld!", "Schönen Tag noch!"]
ANSWERS: dict[str, list[str]] = {
    "q_billing": [
        "eine doppelte Abbuchung sollte nicht passieren. Schick uns bitte per DM deine Kundennummer, dann prüfen "
        "wir das sofort.",
        "die Jahresabrechnungen gehen gerade nach und nach raus. Deine sollte in den nächsten Tagen im Postfach sein.",
        "Gutschriften überweisen wir innerhalb von 14 Tagen nach der Abrechnung auf dein hinterlegtes Konto.",
        "der Messstellenbetrieb ist die Gebühr für deinen Zähler. Details stehen auf Seite 2 der Rechnung.",
    ],
    "q_abschlag": [
        "den Abschlag kannst du in der App unter Vertrag > Abschlag selbst anpassen.",
        "nach einer Preisänderung passen wir den Abschlag automatisch an. Danach kannst du ihn jederzeit ändern.",
        "wir haben den Abschlag an deinen Verbrauch angepasst. Wenn er dir zu hoch erscheint, schreib uns per DM.",
    ],
    "q_move": [
        "einen Umzug kannst du online unter hafenlicht.example/umzug melden. Deinen Vertrag nimmst du einfach mit.",
        "schick uns bitte den Zählerstand vom Einzugstag und die neue Adresse per DM, den Rest erledigen wir.",
    ],
    "q_login": [
        "schau bitte einmal in den Spam-Ordner. Falls dort nichts ist, setzen wir den Zugang per DM gern zurück.",
        "die Zwei-Faktor-Anmeldung setzen wir nach kurzer Prüfung zurück. Melde dich dafür bitte per DM.",
        "bitte die Kundennummer ohne Leerzeichen eingeben. Klappt es dann nicht, melde dich per DM.",
    ],
    "pricing": [
        "danke für dein Feedback. Welche Kosten gestiegen sind, erklären wir hier: hafenlicht.example/preise",
        "wir verstehen den Ärger. Du hast ein Sonderkündigungsrecht; gern schauen wir per DM nach einem "
        "günstigeren Tarif.",
    ],
    "privacy": [
        "Verbrauchsdaten nutzen wir nur mit deiner Einwilligung. Alles dazu: hafenlicht.example/datenschutz",
        "deine DSGVO-Auskunft ist in Bearbeitung. Wir melden uns spätestens innerhalb der gesetzlichen Frist.",
    ],
    "lichtbox_gripe": [
        "das tut uns leid! Wir haben es an die Kollegen weitergegeben und melden uns bei dir.",
        "die Lieferzeiten für die LichtBox sind gerade länger. Per DM sagen wir dir gern deinen genauen Termin.",
    ],
}
