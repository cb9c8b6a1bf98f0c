//! The fake over real HTTP on 127.0.0.1, as a client of the API Recherche
//! d'entreprises sees it: lookups by SIREN, SIRET and name answer in the
//! documented shape, malformed queries get the real API's 400 `{"erreur"}`,
//! and the `/_fake/` controls change what the next requests get.

use std::time::Duration;

use fake_entreprises::{Config, Data, Strictness, schema};
use serde_json::Value;

struct Fake {
    base: String,
    http: reqwest::Client,
}

impl Fake {
    async fn start() -> Fake {
        Fake::with(Config::default()).await
    }

    async fn with(config: Config) -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(fake_entreprises::serve(listener, config));
        let http = acquit_testkit::http_builder()
            .timeout(Duration::from_secs(10))
            .user_agent("acquit-tests/1.0 (fake-entreprises)")
            .build()
            .unwrap();
        Fake { base, http }
    }

    /// `GET /search` with `params` encoded as a client would.
    async fn search(&self, params: &[(&str, &str)]) -> (u16, Value) {
        let mut url = reqwest::Url::parse(&format!("{}/search", self.base)).unwrap();
        url.query_pairs_mut().extend_pairs(params);
        self.get_url(url).await.into()
    }

    async fn get_url(&self, url: reqwest::Url) -> Answer {
        let response = self.http.get(url).send().await.unwrap();
        Answer::read(response).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&str>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        Answer::read(request.send().await.unwrap()).await
    }
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            retry_after,
            body,
        }
    }
}

impl From<Answer> for (u16, Value) {
    fn from(a: Answer) -> (u16, Value) {
        (a.status, a.body)
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_unstable();
    names
}

#[tokio::test]
async fn a_siren_finds_its_company_with_every_documented_field() {
    let fake = Fake::start().await;
    let (status, body) = fake.search(&[("q", "732829320")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body).len(), 5);
    assert_eq!(body["total_results"], 1);
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 10);
    assert_eq!(body["total_pages"], 1);
    let result = &body["results"][0];
    assert_eq!(
        sorted(keys(result)),
        sorted(schema::RESULT.iter().map(|f| f.name).collect())
    );
    assert_eq!(result["siren"], "732829320");
    assert_eq!(result["nom_complet"], "CAMILLE ROUX");
    assert_eq!(result["nom_raison_sociale"], Value::Null);
    assert_eq!(result["nature_juridique"], "1000");
    assert_eq!(result["etat_administratif"], "A");
    assert_eq!(result["complements"]["est_entrepreneur_individuel"], true);
    assert_eq!(result["nombre_etablissements"], 2);
    assert_eq!(result["nombre_etablissements_ouverts"], 1);
    // By SIREN, matching_etablissements is always empty (documented).
    assert_eq!(result["matching_etablissements"], Value::Array(vec![]));
    let siege = &result["siege"];
    assert_eq!(siege["siret"], "73282932000074");
    assert_eq!(siege["est_siege"], true);
    assert_eq!(siege["adresse"], "8 RUE DE LA ROQUETTE 75011 PARIS 11");
    assert_eq!(siege["numero_voie"], "8");
    assert_eq!(siege["type_voie"], "RUE");
    assert_eq!(siege["libelle_voie"], "DE LA ROQUETTE");
    assert_eq!(siege["code_postal"], "75011");
    assert_eq!(siege["libelle_commune"], "PARIS 11");
    assert_eq!(siege["code_pays_etranger"], Value::Null);
    assert!(siege.get("ancien_siege").is_none(), "not a field of siege");
    // Spaces are allowed inside the number.
    let (_, spaced) = fake.search(&[("q", "732 829 320")]).await;
    assert_eq!(spaced, body);
}

#[tokio::test]
async fn a_siret_with_spaces_finds_its_establishment() {
    let fake = Fake::start().await;
    let (status, body) = fake.search(&[("q", "732 829 320 00074")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_results"], 1);
    let matching = body["results"][0]["matching_etablissements"]
        .as_array()
        .unwrap();
    assert_eq!(matching.len(), 1);
    assert_eq!(matching[0]["siret"], "73282932000074");

    // A secondary establishment: only the `etablissement` fields, the full
    // address in `adresse` alone; the structured address is the siège's.
    let (_, body) = fake.search(&[("q", "90187342200025")]).await;
    let result = &body["results"][0];
    let branch = &result["matching_etablissements"][0];
    assert_eq!(branch["siret"], "90187342200025");
    assert_eq!(branch["est_siege"], false);
    assert_eq!(
        branch["adresse"],
        "BATIMENT C 25 B BD DES BELGES BP 4012 69401 LYON CEDEX 06"
    );
    for hidden in schema::MATCHING_HIDDEN {
        assert!(branch.get(*hidden).is_none(), "{hidden}");
    }
    // That company's siège is abroad.
    let siege = &result["siege"];
    assert_eq!(siege["code_postal"], Value::Null);
    assert_eq!(siege["code_pays_etranger"], "99104");
    assert_eq!(siege["libelle_pays_etranger"], "SUEDE");
    assert_eq!(siege["libelle_commune_etranger"], "STOCKHOLM");
    assert_eq!(siege["adresse"], "12 DROTTNINGGATAN STOCKHOLM SUEDE");
    assert_eq!(result["nature_juridique"], "3120");

    // A well-formed number nobody has: no result, not an error.
    let (status, body) = fake.search(&[("q", "55210055400021")]).await;
    assert_eq!(status, 200);
    assert_eq!(body["total_results"], 0);
    assert_eq!(body["total_pages"], 0);
    assert_eq!(body["results"], Value::Array(vec![]));
}

#[tokio::test]
async fn names_match_without_case_or_accents() {
    let fake = Fake::start().await;
    let (status, body) = fake.search(&[("q", "studio part-dieu")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_results"], 1);
    let sasu = &body["results"][0];
    assert_eq!(sasu["siren"], "552100554");
    assert_eq!(sasu["nature_juridique"], "5710");
    assert_eq!(sasu["complements"]["est_entrepreneur_individuel"], false);
    assert_eq!(sasu["siege"]["code_postal"], "69003");
    assert_eq!(sasu["siege"]["libelle_commune"], "LYON 3EME");
    assert_eq!(sasu["dirigeants"][0]["type_dirigeant"], "personne physique");
    assert_eq!(sasu["tva"][0], "FR96552100554");

    let (_, body) = fake.search(&[("q", "Agence Lumiere")]).await;
    let agence = &body["results"][0];
    assert_eq!(agence["siren"], "512349879");
    assert_eq!(agence["nom_raison_sociale"], "AGENCE LUMIÈRE");
    assert_eq!(
        agence["nom_complet"],
        "AGENCE LUMIÈRE (LUMIERE EVENTS) (AL)"
    );
    assert_eq!(agence["finances"]["2023"]["ca"], 1_250_400);
    assert_eq!(
        agence["dirigeants"][1],
        serde_json::json!({
            "siren": "390876548",
            "denomination": "AUDIT RHONE CONSEIL",
            "qualite": "Commissaire aux comptes titulaire",
            "type_dirigeant": "personne morale",
        })
    );

    // A closed company is found, and says so.
    let (_, body) = fake.search(&[("q", "boulangerie vieux port")]).await;
    let closed = &body["results"][0];
    assert_eq!(closed["etat_administratif"], "C");
    assert_eq!(closed["date_fermeture"], "2022-06-30");
    assert_eq!(closed["siege"]["etat_administratif"], "F");
    // The enseigne is a name too.
    let (_, body) = fake.search(&[("q", "bon pain")]).await;
    assert_eq!(body["results"][0]["siren"], "834127656");

    let (status, body) = fake.search(&[("q", "introuvable sarl")]).await;
    assert_eq!((status, body["total_results"].clone()), (200, 0.into()));
}

/// Why, the query's pairs, the `erreur` expected.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

#[tokio::test]
async fn malformed_queries_get_a_400_erreur() {
    let fake = Fake::start().await;
    let cases: &[Case] = &[
        (
            "no q nor filter",
            &[],
            "Veuillez indiquer au moins un paramètre de recherche.",
        ),
        (
            "pagination alone",
            &[("page", "1"), ("per_page", "5")],
            "Veuillez indiquer au moins un paramètre de recherche.",
        ),
        (
            "q too short",
            &[("q", "ab")],
            "3 caractères minimum pour les termes de la requête (ou utilisez au moins un filtre)",
        ),
        (
            "q empty",
            &[("q", "")],
            "3 caractères minimum pour les termes de la requête (ou utilisez au moins un filtre)",
        ),
        (
            "per_page 0",
            &[("q", "lumiere"), ("per_page", "0")],
            "Veuillez indiquer un paramètre `per_page` entre `1` et `25`, par défaut `10`.",
        ),
        (
            "per_page 26",
            &[("q", "lumiere"), ("per_page", "26")],
            "Veuillez indiquer un paramètre `per_page` entre `1` et `25`, par défaut `10`.",
        ),
        (
            "per_page not a number",
            &[("q", "lumiere"), ("per_page", "dix")],
            "Veuillez indiquer un paramètre `per_page` entier.",
        ),
        (
            "page 0",
            &[("q", "lumiere"), ("page", "0")],
            "Veuillez indiquer un paramètre `page` entre `1` et `1000`, par défaut `1`.",
        ),
        (
            "a boolean",
            &[("est_entrepreneur_individuel", "yes")],
            "est_entrepreneur_individuel doit prendre la valeur 'true' ou 'false' !",
        ),
        (
            "a state",
            &[("q", "lumiere"), ("etat_administratif", "F")],
            "Le paramètre `etat_administratif` doit prendre une des valeurs suivantes ['A', 'C'].",
        ),
        (
            "a postcode",
            &[("code_postal", "6900")],
            "Au moins une valeur du paramètre code_postal est non valide.",
        ),
    ];
    for (why, params, message) in cases {
        let (status, body) = fake.search(params).await;
        assert_eq!(status, 400, "{why}: {body}");
        assert_eq!(body, serde_json::json!({ "erreur": message }), "{why}");
    }
    // Bounds included.
    for n in ["1", "25"] {
        let (status, body) = fake.search(&[("q", "lumiere"), ("per_page", n)]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["per_page"], n.parse::<u64>().unwrap());
    }
    // A short q with a filter is fine.
    let (status, _) = fake.search(&[("q", "al"), ("code_postal", "69002")]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_parameters_are_refused_unless_lenient() {
    let fake = Fake::start().await;
    let (status, body) = fake
        .search(&[("q", "lumiere"), ("siren", "512349879")])
        .await;
    assert_eq!(status, 400);
    assert!(
        body["erreur"].as_str().unwrap().contains("`siren`"),
        "{body}"
    );
    let (status, body) = fake.search(&[("q", "lumiere"), ("q", "roux")]).await;
    assert_eq!(status, 400, "{body}");
    // The real API ignores them; so does the fake when asked.
    let lenient = Fake::with(Config {
        strictness: Strictness::Lenient,
        ..Config::default()
    })
    .await;
    let (status, body) = lenient
        .search(&[("q", "lumiere"), ("siren", "512349879")])
        .await;
    assert_eq!((status, body["total_results"].clone()), (200, 1.into()));
    let (status, body) = lenient.search(&[("qs", "lumiere")]).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["erreur"],
        "Veuillez indiquer au moins un paramètre de recherche."
    );
}

#[tokio::test]
async fn filters_and_pagination() {
    let fake = Fake::start().await;
    // In the Rhône: three companies' sièges and one's branch.
    let (status, body) = fake
        .search(&[("departement", "69"), ("per_page", "3")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_results"], 4);
    assert_eq!(body["total_pages"], 2);
    assert_eq!(body["results"].as_array().unwrap().len(), 3);
    let (_, page2) = fake
        .search(&[("departement", "69"), ("per_page", "3"), ("page", "2")])
        .await;
    assert_eq!(page2["page"], 2);
    assert_eq!(page2["results"].as_array().unwrap().len(), 1);
    let (_, page3) = fake
        .search(&[("departement", "69"), ("per_page", "3"), ("page", "3")])
        .await;
    assert_eq!(page3["results"], Value::Array(vec![]));

    let (_, body) = fake
        .search(&[("est_entrepreneur_individuel", "true")])
        .await;
    assert_eq!(body["total_results"], 1);
    assert_eq!(body["results"][0]["siren"], "732829320");
    let (_, body) = fake
        .search(&[("q", "lumiere"), ("etat_administratif", "C")])
        .await;
    assert_eq!(body["total_results"], 0);
    let (_, body) = fake.search(&[("nature_juridique", "5710,5499")]).await;
    assert_eq!(body["total_results"], 3);

    // minimal=true leaves out the secondary fields but those asked for.
    let (status, body) = fake
        .search(&[
            ("q", "552100554"),
            ("minimal", "true"),
            ("include", "siege"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    let result = &body["results"][0];
    assert!(result.get("siege").is_some());
    for absent in [
        "complements",
        "dirigeants",
        "finances",
        "tva",
        "matching_etablissements",
    ] {
        assert!(result.get(absent).is_none(), "{absent}");
    }
}

#[tokio::test]
async fn other_paths_and_methods() {
    let fake = Fake::start().await;
    let answer = fake.send(reqwest::Method::GET, "/entreprises", None).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["erreur"], "Ressource non trouvée.");
    let answer = fake
        .send(reqwest::Method::POST, "/search?q=lumiere", None)
        .await;
    assert_eq!(answer.status, 404);
    let answer = fake
        .send(reqwest::Method::HEAD, "/search?q=lumiere", None)
        .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn the_controls_make_it_unavailable_or_rate_limited() {
    let fake = Fake::start().await;
    let lookup = [("q", "552100554")];

    let set = fake
        .send(
            reqwest::Method::POST,
            "/_fake/unavailable",
            Some(r#"{"seconds": 30}"#),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let mut url = reqwest::Url::parse(&format!("{}/search", fake.base)).unwrap();
    url.query_pairs_mut().extend_pairs(lookup);
    let down = fake.get_url(url.clone()).await;
    assert_eq!(down.status, 503);
    let wait: u64 = down.retry_after.unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(down.body["erreur"].is_string());
    fake.send(
        reqwest::Method::POST,
        "/_fake/unavailable",
        Some(r#"{"seconds": 0}"#),
    )
    .await;
    assert_eq!(fake.get_url(url.clone()).await.status, 200);

    // 429 with Retry-After on the next request only.
    let set = fake
        .send(
            reqwest::Method::POST,
            "/_fake/rate-limit",
            Some(r#"{"retry_after": 5}"#),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let limited = fake.get_url(url.clone()).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.retry_after.as_deref(), Some("5"));
    assert_eq!(fake.get_url(url.clone()).await.status, 200);
    // An empty body: one request, Retry-After 1.
    fake.send(reqwest::Method::POST, "/_fake/rate-limit", None)
        .await;
    let limited = fake.get_url(url.clone()).await;
    assert_eq!(
        (limited.status, limited.retry_after.as_deref()),
        (429, Some("1"))
    );

    // Controls refuse what they do not take.
    for (path, body) in [
        ("/_fake/unavailable", "{}"),
        ("/_fake/unavailable", r#"{"seconds": -1}"#),
        ("/_fake/rate-limit", r#"{"after": 2}"#),
        ("/_fake/rate-limit", "[]"),
    ] {
        let answer = fake.send(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(answer.status, 400, "{path} {body}");
    }
    let answer = fake
        .send(reqwest::Method::POST, "/_fake/nothing", None)
        .await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn the_requests_received_are_kept_for_the_tests() {
    let fake = Fake::start().await;
    fake.search(&[("q", "732 829 320"), ("per_page", "1")])
        .await;
    fake.search(&[("q", "ab")]).await;
    let answer = fake
        .send(reqwest::Method::GET, "/_fake/requests", None)
        .await;
    assert_eq!(answer.status, 200);
    let requests = answer.body.as_array().unwrap();
    assert_eq!(requests.len(), 2, "{}", answer.body);
    assert_eq!(requests[0]["method"], "GET");
    assert_eq!(requests[0]["path"], "/search");
    assert_eq!(
        requests[0]["params"],
        serde_json::json!([["q", "732 829 320"], ["per_page", "1"]])
    );
    assert_eq!(
        requests[0]["headers"]["user-agent"],
        "acquit-tests/1.0 (fake-entreprises)"
    );
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[1]["status"], 400);

    fake.send(reqwest::Method::POST, "/_fake/reset", None).await;
    let answer = fake
        .send(reqwest::Method::GET, "/_fake/requests", None)
        .await;
    assert_eq!(answer.body, Value::Array(vec![]));
}

#[tokio::test]
async fn a_rate_limit_like_the_real_one() {
    let fake = Fake::with(Config {
        rate_limit: Some(2),
        ..Config::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, _) = fake.search(&[("q", "552100554")]).await;
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 429]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(fake.search(&[("q", "552100554")]).await.0, 200);
}

#[tokio::test]
async fn another_data_file() {
    let data = Data::from_json(
        r#"{"companies": [{"unite_legale": {
            "siren": "552100554", "nom_raison_sociale": "AUTRE NOM",
            "etat_administratif": "A", "nature_juridique": "5499",
            "siege": {"siret": "55210055400021", "etat_administratif": "A",
                      "code_postal": "33000", "libelle_commune": "BORDEAUX",
                      "commune": "33063"}}}]}"#,
    )
    .unwrap();
    let fake = Fake::with(Config {
        data,
        ..Config::default()
    })
    .await;
    let (_, body) = fake.search(&[("q", "552100554")]).await;
    let result = &body["results"][0];
    assert_eq!(result["nom_complet"], "AUTRE NOM");
    assert_eq!(result["siege"]["adresse"], "33000 BORDEAUX");
    assert_eq!(result["siege"]["departement"], "33");
    let (_, body) = fake.search(&[("q", "732829320")]).await;
    assert_eq!(body["total_results"], 0);
}
