//! Demo knowledge base: a few dozen realistic products of the demo communities, in
//! Dutch, at every stage of their life: fresh, edited in several versions, reused in
//! class, due for review, flagged as outdated, archived, and some published to the
//! whole organisation.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use time::Duration;
use uuid::Uuid;

use super::domain::{ArtifactForm, ArtifactKind, ArtifactStatus, Source};
use super::service::{insert_artifact, reindex};
use crate::db::entities::{artifact, artifact_comment, artifact_flag, artifact_reuse, artifact_version, community};
use crate::db::now;
use crate::error::AppError;

struct DemoArtifact {
    community: &'static str,
    owner: &'static str,
    kind: ArtifactKind,
    title: &'static str,
    body: &'static str,
    tags: &'static str,
    organisation_wide: bool,
    created_days_ago: i64,
    /// Days until review; negative: overdue.
    review_in_days: i64,
    /// An earlier body, kept as version 1 (the body above is version 2).
    earlier: Option<&'static str>,
    flagged: Option<(&'static str, &'static str)>,
    archived: bool,
    reuses: &'static [(&'static str, &'static str)],
    comments: &'static [(&'static str, &'static str)],
}

const LEZEN: &str = "Begrijpend lezen in de onderbouw";
const REKENEN: &str = "Lesson study rekenvaardigheid";
const INTERVISIE: &str = "Intervisie startende docenten";
const PRAKTIJK: &str = "Formatief handelen in de praktijkvakken";
const MENTORAAT: &str = "Mentoraat bovenbouw";

const fn item(
    community: &'static str,
    owner: &'static str,
    kind: ArtifactKind,
    title: &'static str,
    body: &'static str,
    tags: &'static str,
) -> DemoArtifact {
    DemoArtifact {
        community,
        owner,
        kind,
        title,
        body,
        tags,
        organisation_wide: false,
        created_days_ago: 60,
        review_in_days: 300,
        earlier: None,
        flagged: None,
        archived: false,
        reuses: &[],
        comments: &[],
    }
}

fn artifacts() -> Vec<DemoArtifact> {
    use ArtifactKind::*;
    vec![
        DemoArtifact {
            organisation_wide: true,
            created_days_ago: 120,
            earlier: Some(
                "## Doel\nLeerlingen voorspellen vóór het lezen waar een tekst over gaat.\n\n## Werkwijze\n1. Laat titel en plaatjes zien.\n2. Leerlingen schrijven een voorspelling op.\n",
            ),
            reuses: &[
                (
                    "t.kuipers@esdal.test",
                    "Gebruikt bij een bronnentekst over de Gouden Eeuw. De voorspellingen maakten meteen duidelijk welke voorkennis ontbrak.",
                ),
                (
                    "n.hendriks@esdal.test",
                    "Werkte goed in klas 2 bij een tekst over klimaatzones; de stap 'controleer je voorspelling' nam meer tijd dan gepland.",
                ),
                ("j.bakker@esdal.test", "Ook bruikbaar bij contextopgaven in de wiskundeles."),
            ],
            comments: &[(
                "m.vermeulen@esdal.test",
                "Tip: laat leerlingen hun voorspelling aan het eind hardop vergelijken, dat gaf in mijn klas het meeste gesprek.",
            )],
            ..item(
                LEZEN,
                "a.debruin@esdal.test",
                LessonPlan,
                "Voorspellend lezen bij zaakvakteksten",
                "## Doel\nLeerlingen activeren hun voorkennis en lezen doelgerichter doordat ze vóór het lezen voorspellen waar een tekst over gaat.\n\n## Werkwijze (15 minuten)\n1. Laat titel, tussenkopjes en afbeeldingen zien (2 min).\n2. Leerlingen schrijven individueel een voorspelling op: *waar gaat dit over, wat ga ik leren?* (3 min).\n3. Tweetallen vergelijken hun voorspelling (2 min).\n4. Lezen met de vraag: klopt mijn voorspelling? (6 min).\n5. Korte nabespreking: wat wist je al, wat was nieuw? (2 min).\n\n## Aandachtspunten\n- Werkt in alle vakken, ook bij opgaven met een context.\n- Zwakke lezers: geef een zinsbegin ('Ik denk dat deze tekst gaat over …').\n",
                "begrijpend lezen, voorkennis, leesstrategie",
            )
        },
        DemoArtifact {
            created_days_ago: 90,
            reuses: &[(
                "e.visser@esdal.test",
                "In de Franse les met een korte tekst uitgeprobeerd; leerlingen vonden de kaartjes prettig.",
            )],
            ..item(
                LEZEN,
                "m.vermeulen@esdal.test",
                HowTo,
                "Samenvatten met de 3-2-1-kaart",
                "Na het lezen vullen leerlingen een kaartje in:\n\n- **3** dingen die ik heb geleerd\n- **2** dingen die ik interessant vond\n- **1** vraag die ik nog heb\n\nDe vragen verzamel je en bespreek je aan het begin van de volgende les. Zo zie je in één oogopslag wat is blijven hangen.\n",
                "samenvatten, begrijpend lezen, exit ticket",
            )
        },
        DemoArtifact {
            created_days_ago: 75,
            ..item(
                LEZEN,
                "s.mulder@esdal.test",
                ObservationForm,
                "Kijkwijzer leesstrategieën in de les",
                "Gebruik deze kijkwijzer bij een lesbezoek binnen de PLG. Je kijkt naar **leerlingen**, niet naar de docent.\n\n| Wat zie je? | Ja | Deels | Nee |\n|---|---|---|---|\n| Leerlingen bekijken de tekst eerst globaal | | | |\n| Leerlingen markeren kernwoorden | | | |\n| Leerlingen stellen vragen bij de tekst | | | |\n| Leerlingen vatten in eigen woorden samen | | | |\n\nNoteer per rij een concreet voorbeeld met tijdstip.\n",
                "kijkwijzer, lesbezoek, leesstrategie",
            )
        },
        DemoArtifact {
            created_days_ago: 400,
            review_in_days: -35,
            ..item(
                LEZEN,
                "a.debruin@esdal.test",
                Protocol,
                "Afspraken leesbevordering sectie Nederlands",
                "## Afspraken\n- Elke week een vrij leesmoment van 15 minuten in klas 1 en 2.\n- Leerlingen houden een leeslog bij in het leesdossier.\n- De mediatheek is open in de grote pauze.\n\nVastgesteld in de sectievergadering van vorig schooljaar.\n",
                "leesbevordering, sectie Nederlands, afspraken",
            )
        },
        DemoArtifact {
            created_days_ago: 30,
            ..item(
                LEZEN,
                "n.hendriks@esdal.test",
                CaseSummary,
                "Leerlingen haken af bij lange bronteksten",
                "*Samenvatting van een bespreking in de PLG; namen van leerlingen zijn weggelaten.*\n\n**Situatie.** In klas 2 haken leerlingen bij aardrijkskunde af zodra een brontekst langer is dan een halve pagina.\n\n**Wat we bespraken.** Teksten opknippen, tussenvragen stellen, en leerlingen eerst de vraag laten lezen.\n\n**Wat ik ga doen.** Twee weken lang bij elke lange tekst tussenvragen in de kantlijn zetten en bijhouden hoeveel leerlingen de tekst afmaken.\n",
                "motivatie, lange teksten, aardrijkskunde",
            )
        },
        DemoArtifact {
            organisation_wide: true,
            created_days_ago: 110,
            earlier: Some("## Verhoudingstabel\nGebruik een tabel met twee rijen.\n"),
            reuses: &[
                (
                    "b.vandijk@esdal.test",
                    "Bij economie (procenten en indexcijfers) meteen overgenomen. Leerlingen herkennen de tabel nu uit de wiskundeles.",
                ),
                (
                    "d.smit@esdal.test",
                    "Bij natuurkunde gebruikt voor dichtheid; werkt, maar de eenheden moeten erbij in de tabel.",
                ),
            ],
            comments: &[(
                "p.dekker@esdal.test",
                "Bij scheikunde noemen we dit de 'molverhouding'. Goed om in de tabel dezelfde opmaak te gebruiken.",
            )],
            ..item(
                REKENEN,
                "j.bakker@esdal.test",
                Protocol,
                "Eén aanpak voor verhoudingstabellen in alle vakken",
                "## Waarom\nLeerlingen leren bij wiskunde, natuurkunde en economie drie verschillende manieren om verhoudingen op te schrijven. Daardoor herkennen ze niet dat het om hetzelfde gaat.\n\n## De afspraak\n1. We noteren altijd een **tabel met twee rijen** en eenheden in de eerste kolom.\n2. Pijlen boven en onder de tabel laten zien met welk getal je vermenigvuldigt.\n3. Het antwoord staat in een omkaderd vak, mét eenheid.\n\n## Voorbeeld\n| | | |\n|---|---|---|\n| gram | 250 | 1000 |\n| euro | 3 | 12 |\n\nZie ook het lesontwerp 'Procenten als verhouding'.\n",
                "verhoudingstabel, rekenbeleid, vakoverstijgend",
            )
        },
        DemoArtifact {
            created_days_ago: 80,
            ..item(
                REKENEN,
                "j.brouwer@esdal.test",
                LessonPlan,
                "Onderzoeksles: procenten als verhouding (cyclus 1)",
                "## Onderzoeksvraag\nHoe helpt een verhoudingstabel leerlingen van klas 3 om procentsommen in een context op te lossen?\n\n## Leerdoel (vanuit de leerling)\nIk kan een kortingsprobleem oplossen met een verhoudingstabel en uitleggen waarom het klopt.\n\n## Lesverloop\n| Tijd | Activiteit | Verwachte reactie van leerlingen |\n|---|---|---|\n| 0–10 | Instap: folder met kortingen | 'Gewoon min 25 doen' |\n| 10–30 | Zelf oplossen, daarna in tweetallen | Een deel rekent met 0,25, een deel met de tabel |\n| 30–45 | Klassengesprek: vergelijk oplossingen | Discussie over 'van' en 'af' |\n\n## Caseleerlingen\n- **Leerling A** (sterk in rekenen): voorspelling — gebruikt meteen de rekenmachine.\n- **Leerling B** (gemiddeld): voorspelling — begint met de tabel maar vergeet de eenheid.\n- **Leerling C** (moeite met taal): voorspelling — struikelt over 'korting van'.\n",
                "lesson study, procenten, onderzoeksles",
            )
        },
        DemoArtifact {
            created_days_ago: 66,
            reuses: &[(
                "n.kok@esdal.test",
                "De observatiekolom per caseleerling neem ik over voor mijn eigen lesbezoeken.",
            )],
            ..item(
                REKENEN,
                "d.smit@esdal.test",
                ObservationForm,
                "Observatieformulier caseleerlingen",
                "Eén formulier per caseleerling. Noteer **wat de leerling doet en zegt**, met tijd.\n\n| Tijd | Wat doet/zegt de leerling? | Klopt dit met de voorspelling? |\n|---|---|---|\n| | | |\n\nNa de les: interview van vijf minuten met de leerling. Vraag: *Wat vond je lastig? Hoe wist je dat je antwoord klopte?*\n",
                "lesson study, observatie, caseleerling",
            )
        },
        DemoArtifact {
            created_days_ago: 60,
            ..item(
                REKENEN,
                "p.dekker@esdal.test",
                ResearchReport,
                "Nabespreking cyclus 1: procenten",
                "## Wat we zagen\n- Leerling B gebruikte de tabel wél, maar schreef geen eenheden: voorspelling klopte.\n- Leerling C begreep 'korting van 25%' als 'je betaalt 25%'. Taal bleek het struikelblok, niet het rekenen.\n- Het klassengesprek kwam pas na 35 minuten op gang: te weinig tijd.\n\n## Bijstelling voor cyclus 2\n1. Begrippenlijst *korting, van, af, procent* vooraf.\n2. Instap inkorten tot vijf minuten.\n3. Kennisrijke ander: rekencoördinator, schuift aan bij de nabespreking.\n",
                "lesson study, nabespreking, procenten",
            )
        },
        DemoArtifact {
            created_days_ago: 500,
            review_in_days: -120,
            flagged: Some((
                "b.vandijk@esdal.test",
                "Het rekenbeleid is dit jaar vernieuwd; de toetsafspraken hierin kloppen niet meer (geen rekenmachine in klas 1 is losgelaten).",
            )),
            ..item(
                REKENEN,
                "j.bakker@esdal.test",
                Protocol,
                "Rekenbeleid en toetsafspraken onderbouw",
                "## Afspraken\n- In klas 1 geen rekenmachine bij toetsen.\n- Elke sectie neemt twee rekenopgaven op in de periodetoets.\n- De rekencoördinator analyseert de resultaten per periode.\n",
                "rekenbeleid, toetsen",
            )
        },
        DemoArtifact {
            created_days_ago: 45,
            ..item(
                REKENEN,
                "n.kok@esdal.test",
                HowTo,
                "Rekenvaardigheid: veelgemaakte fouten bij natuurkunde",
                "Een lijst die we in de PLG bijhouden.\n\n1. Eenheden omrekenen (cm³ naar m³): leerlingen delen door 100 in plaats van 1.000.000.\n2. Wetenschappelijke notatie invoeren op de rekenmachine.\n3. Afronden tussendoor, waardoor het eindantwoord afwijkt.\n\nPer fout maken we nog een korte oefening.\n",
                "rekenfouten, natuurkunde, eenheden",
            )
        },
        DemoArtifact {
            organisation_wide: true,
            created_days_ago: 140,
            reuses: &[
                (
                    "l.jansen@esdal.test",
                    "Voor het eerst als gespreksleider de stappen gevolgd; de tijden hielpen om niet te vroeg te gaan adviseren.",
                ),
                (
                    "s.timmer@esdal.test",
                    "Gebruikt in mijn sectie voor een korte intervisie: ook met vier mensen goed te doen.",
                ),
            ],
            ..item(
                INTERVISIE,
                "h.postma@esdal.test",
                Protocol,
                "Stappen van de incidentmethode (65 minuten)",
                "De incidentmethode zoals wij die in de PLG gebruiken.\n\n| Fase | Minuten | Wie spreekt |\n|---|---|---|\n| Terugblik op acties van vorige keer | 5 | iedereen |\n| Casussen inbrengen | 10 | inbrengers |\n| Kiezen | 5 | groep |\n| Informatievragen (alleen feitelijk, één tegelijk) | 15 | deelnemers |\n| Analyse | 10 | deelnemers |\n| Adviezen (inbrenger luistert) | 10 | deelnemers |\n| Evaluatie en vervolgafspraak | 10 | inbrenger, groep |\n\n**Spelregels:** inbrengen is vrijwillig, wat gedeeld wordt blijft in de groep, geen leidinggevende in de groep.\n",
                "intervisie, incidentmethode, werkvorm",
            )
        },
        DemoArtifact {
            created_days_ago: 100,
            ..item(
                INTERVISIE,
                "i.vanleeuwen@esdal.test",
                CaseSummary,
                "Leerlingen die steeds te laat komen",
                "*Geanonimiseerde leeropbrengst uit een intervisieronde; de casus zelf is niet gedeeld.*\n\n**Kernvraag.** Hoe reageer ik op leerlingen die steeds te laat komen zonder dat de les stilvalt?\n\n**Adviezen die de inbrenger koos.**\n- Een vaste startopdracht op het bord, zodat te laat komen geen publiek moment wordt.\n- Het gesprek over te laat komen pas na de les, één op één.\n\n**Wat de inbrenger leerde.** 'Ik reageerde vooral uit irritatie; met een vaste routine blijf ik rustiger.'\n",
                "intervisie, klassenmanagement, lesstart",
            )
        },
        DemoArtifact {
            created_days_ago: 70,
            ..item(
                INTERVISIE,
                "l.jansen@esdal.test",
                CaseSummary,
                "Omgaan met een boze ouder na een cijfer",
                "*Geanonimiseerde leeropbrengst.*\n\n**Kernvraag.** Hoe voer ik een gesprek met een ouder die het niet eens is met een beoordeling?\n\n**Inzichten uit de ronde.**\n- Eerst luisteren en samenvatten, pas daarna uitleggen.\n- De beoordelingscriteria vooraf delen voorkomt veel gesprekken.\n- Bij twijfel de sectievoorzitter vragen mee te kijken.\n",
                "oudergesprek, beoordeling, startende docent",
            )
        },
        DemoArtifact {
            created_days_ago: 55,
            ..item(
                INTERVISIE,
                "n.hendriks@esdal.test",
                HowTo,
                "Goede informatievragen stellen",
                "In de vragenronde stel je **feitelijke** vragen: wie, wat, waar, wanneer. Geen verkapte adviezen.\n\n| Liever niet | Beter |\n|---|---|\n| Heb je al geprobeerd om …? | Wat heb je tot nu toe gedaan? |\n| Waarom deed je niet …? | Wat gebeurde er vlak daarvoor? |\n\nStel één vraag tegelijk en wacht het antwoord af.\n",
                "intervisie, vragen stellen",
            )
        },
        DemoArtifact {
            created_days_ago: 380,
            review_in_days: -14,
            ..item(
                INTERVISIE,
                "h.postma@esdal.test",
                HowTo,
                "Rooster intervisierondes en rolverdeling",
                "Wie welke rol heeft per ronde.\n\n- Gespreksleider: wisselt per ronde volgens de ledenlijst.\n- Tijdbewaker: degene die de vorige keer inbracht.\n- Notulist: wie het langst geen rol had.\n\nHet rooster van dit schooljaar hangt in de teamkamer.\n",
                "rooster, rollen, intervisie",
            )
        },
        DemoArtifact {
            organisation_wide: true,
            created_days_ago: 95,
            reuses: &[
                (
                    "r.huisman@esdal.test",
                    "Bij de lasopdracht in leerjaar 3 gebruikt: leerlingen wisten voor het eerst zelf wat ze moesten verbeteren.",
                ),
                ("k.wolters@esdal.test", "Aangepast voor de kookles; stap 3 laten we leerlingen samen doen."),
                ("f.koster@esdal.test", "Werkt ook bij verzorging; ik heb de criteria vereenvoudigd voor klas 1."),
            ],
            comments: &[(
                "s.degroot@esdal.test",
                "Mooi dat dit al in drie vakken werkt. Zullen we de varianten als bijlagen toevoegen?",
            )],
            ..item(
                PRAKTIJK,
                "s.degroot@esdal.test",
                HowTo,
                "Feedback tijdens de praktijkopdracht met succescriteria",
                "## Voor de opdracht\nBespreek drie **succescriteria** met de klas en hang ze zichtbaar op bij de werkplek.\n\n## Tijdens de opdracht\n1. Loop rond met een lijst van de criteria.\n2. Geef per leerling één *compliment* en één *volgende stap*, gekoppeld aan een criterium.\n3. Leerlingen noteren de volgende stap op hun werkkaart.\n\n## Na de opdracht\nLeerlingen kleuren per criterium in hoe ver ze zijn (rood/oranje/groen).\n",
                "formatief handelen, feedback, succescriteria, praktijkvak",
            )
        },
        DemoArtifact {
            created_days_ago: 50,
            reuses: &[(
                "r.huisman@esdal.test",
                "Gebruikt in de werkplaats: de kaartjes overleven het vet niet, dus gelamineerd.",
            )],
            ..item(
                PRAKTIJK,
                "k.wolters@esdal.test",
                ObservationForm,
                "Werkkaart: waar sta ik?",
                "Een werkkaart die leerlingen bij zich houden tijdens de praktijkopdracht.\n\n| Criterium | Rood | Oranje | Groen | Mijn volgende stap |\n|---|---|---|---|---|\n| Veilig werken | | | | |\n| Nauwkeurig meten | | | | |\n| Netjes afwerken | | | | |\n",
                "formatief handelen, zelfbeoordeling, praktijkvak",
            )
        },
        DemoArtifact {
            created_days_ago: 35,
            ..item(
                PRAKTIJK,
                "r.huisman@esdal.test",
                LessonPlan,
                "Exit tickets in de werkplaats",
                "## Doel\nAan het eind van de praktijkles weten wat leerlingen hebben begrepen van de veiligheidsregels.\n\n## Werkwijze\n- Laatste vijf minuten: leerlingen beantwoorden één vraag op een kaartje (bijvoorbeeld *Welke beschermingsmiddelen had je vandaag nodig en waarom?*).\n- Sorteer de kaartjes in drie stapels: begrepen, half, niet.\n- Begin de volgende les met de 'half'-stapel.\n",
                "exit ticket, veiligheid, formatief handelen",
            )
        },
        DemoArtifact {
            created_days_ago: 300,
            archived: true,
            ..item(
                PRAKTIJK,
                "s.degroot@esdal.test",
                Other,
                "Oude beoordelingslijst praktijkexamen (vervangen)",
                "Deze lijst is vervangen door de nieuwe examenregeling. Alleen bewaard ter vergelijking.\n",
                "praktijkexamen, beoordeling",
            )
        },
        DemoArtifact {
            organisation_wide: true,
            created_days_ago: 85,
            reuses: &[("t.kuipers@esdal.test", "De vragen van fase 2 gebruik ik nu ook in mijn mentorles van klas 3.")],
            ..item(
                MENTORAAT,
                "b.vandijk@esdal.test",
                Protocol,
                "Leidraad loopbaangesprek bovenbouw",
                "## Drie gesprekken per jaar\n1. **September:** wie ben je, wat wil je? (kwaliteiten en interesses)\n2. **Januari:** wat heb je onderzocht? (open dagen, meeloopdagen)\n3. **Mei:** welke keuze maak je en waarom?\n\n## Vragen die helpen\n- Waar word je enthousiast van, ook buiten school?\n- Wat zeggen anderen dat je goed kunt?\n- Wat heb je deze periode gedaan om te ontdekken wat bij je past?\n\nLeg afspraken vast in het loopbaandossier.\n",
                "loopbaanbegeleiding, mentoraat, gesprek",
            )
        },
        DemoArtifact {
            created_days_ago: 40,
            ..item(
                MENTORAAT,
                "l.prins@esdal.test",
                CaseSummary,
                "Signalen van dreigende uitval herkennen",
                "*Geanonimiseerde leeropbrengst uit een bespreking.*\n\n**Signalen die we samen opsomden.** Vaker ziek gemeld op dezelfde dag, huiswerk dat ineens ontbreekt, stil worden in de mentorles.\n\n**Afspraak.** Bij twee signalen binnen drie weken neemt de mentor contact op met de leerling én meldt het bij de zorgcoördinator.\n",
                "uitval, zorg, mentoraat",
            )
        },
        DemoArtifact {
            created_days_ago: 20,
            ..item(
                MENTORAAT,
                "w.schouten@esdal.test",
                HowTo,
                "Mentorles: studieplanning voor de examenklas",
                "Een mentorles van 50 minuten.\n\n1. Leerlingen zetten alle toetsen van de komende zes weken in een planner.\n2. Per toets schatten ze de leertijd en verdelen die over de weken.\n3. In tweetallen controleren ze elkaars planning op pieken.\n\nNa twee weken: evaluatie in de mentorles.\n",
                "planning, examenklas, studievaardigheden",
            )
        },
        DemoArtifact {
            created_days_ago: 12,
            ..item(
                LEZEN,
                "t.kuipers@esdal.test",
                LessonPlan,
                "Woordenschat bij geschiedenis: de woordmuur",
                "## Idee\nEen woordmuur met vakbegrippen die de hele periode blijft hangen.\n\n## Werkwijze\n- Bij elk nieuw begrip: woord, tekening en een voorbeeldzin van een leerling.\n- Elke les start met twee minuten woordmuur: één leerling kiest een woord en legt het uit.\n",
                "woordenschat, geschiedenis, taalgericht vakonderwijs",
            )
        },
        DemoArtifact {
            created_days_ago: 8,
            ..item(
                REKENEN,
                "b.vandijk@esdal.test",
                LessonPlan,
                "Onderzoeksles: procenten als verhouding (cyclus 2)",
                "## Wat is anders dan in cyclus 1\n- Begrippenlijst vooraf (korting, van, af).\n- Instap van vijf minuten.\n- Meer tijd voor het klassengesprek.\n\n## Caseleerlingen\nDezelfde drie leerlingen als in cyclus 1, zodat we kunnen vergelijken.\n",
                "lesson study, procenten, onderzoeksles",
            )
        },
        DemoArtifact {
            created_days_ago: 25,
            ..item(
                PRAKTIJK,
                "f.koster@esdal.test",
                Other,
                "Foto-impressie: feedbackmuur in het praktijklokaal",
                "Foto's van hoe wij de succescriteria en werkkaarten zichtbaar maken in het praktijklokaal. Foto's volgen; voeg gerust je eigen lokaal toe.\n",
                "inrichting, praktijklokaal, succescriteria",
            )
        },
    ]
}

/// Loads the demo knowledge base of the board's demo communities.
pub async fn load<C: ConnectionTrait>(db: &C, board_id: Uuid, users: &HashMap<&str, Uuid>) -> Result<(), AppError> {
    let communities: HashMap<String, community::Model> = community::Entity::find()
        .filter(community::Column::OrganisationId.eq(board_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.name.clone(), c))
        .collect();
    let today = now();
    for demo in artifacts() {
        let Some(community) = communities.get(demo.community) else { continue };
        let owner = users[demo.owner];
        let created = today - Duration::days(demo.created_days_ago);
        let form = ArtifactForm {
            title: demo.title.to_string(),
            kind: demo.kind.as_str().to_string(),
            body: demo.earlier.unwrap_or(demo.body).to_string(),
            tags: demo.tags.to_string(),
            seci_phase: String::new(),
            scope: if demo.organisation_wide { "organisation" } else { "community" }.to_string(),
            review_date: String::new(),
        };
        let input = form.validate(Source::Direct, time::Date::MIN)?;
        let review = today + Duration::days(demo.review_in_days);
        let id = insert_artifact(db, community, owner, &input, Source::Direct, review, created).await?;
        let mut model: artifact::ActiveModel =
            artifact::Entity::find_by_id(id).one(db).await?.ok_or(AppError::Internal)?.into();
        if demo.earlier.is_some() {
            let edited = created + Duration::days(demo.created_days_ago / 3);
            artifact_version::ActiveModel {
                id: Set(Uuid::now_v7()),
                artifact_id: Set(id),
                number: Set(2),
                title: Set(demo.title.to_string()),
                kind: Set(demo.kind.as_str().to_string()),
                body: Set(demo.body.to_string()),
                tags: Set(input.tags.join(", ")),
                author_id: Set(Some(owner)),
                restored_from: Set(None),
                created_at: Set(edited),
            }
            .insert(db)
            .await?;
            model.body = Set(demo.body.to_string());
            model.version = Set(2);
            model.updated_at = Set(edited);
        }
        if let Some((by, reason)) = demo.flagged {
            artifact_flag::ActiveModel {
                id: Set(Uuid::now_v7()),
                artifact_id: Set(id),
                flagged_by: Set(Some(users[by])),
                reason: Set(reason.to_string()),
                created_at: Set(today - Duration::days(3)),
                resolved_by: Set(None),
                resolved_at: Set(None),
                resolution: Set(None),
            }
            .insert(db)
            .await?;
            model.status = Set(ArtifactStatus::Outdated.as_str().to_string());
        }
        if demo.archived {
            model.status = Set(ArtifactStatus::Archived.as_str().to_string());
        }
        if demo.review_in_days < 0 {
            // The owner was told when it came due.
            model.review_notified_at = Set(Some(review));
        }
        let saved = model.update(db).await?;
        reindex(db, &saved).await?;
        for (i, (who, reflection)) in demo.reuses.iter().enumerate() {
            artifact_reuse::ActiveModel {
                id: Set(Uuid::now_v7()),
                artifact_id: Set(id),
                user_id: Set(users[who]),
                reflection: Set(reflection.to_string()),
                created_at: Set(created + Duration::days(5 + 7 * i as i64)),
            }
            .insert(db)
            .await?;
        }
        for (i, (who, text)) in demo.comments.iter().enumerate() {
            artifact_comment::ActiveModel {
                id: Set(Uuid::now_v7()),
                artifact_id: Set(id),
                author_id: Set(Some(users[who])),
                body: Set(text.to_string()),
                created_at: Set(created + Duration::days(2 + 3 * i as i64)),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
