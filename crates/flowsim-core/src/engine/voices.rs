//! Amazon Polly's voices, languages and engines, as data (polly/latest/dg/available-voices,
//! voice list as of 2025). "Set voice" (UpdateContactTextToSpeechVoice) "Results in error if
//! voice or engine are invalid" (APIReference contact-actions-updatecontacttexttospeechvoice).

/// Polly's engines as the flow language writes them (`TextToSpeechEngine`).
pub const ENGINES: &[&str] = &["standard", "neural", "long-form", "generative"];

/// One voice: its name, its language, and the engines it speaks with
/// (`s` standard, `n` neural, `l` long-form, `g` generative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Voice {
    pub name: &'static str,
    pub language: &'static str,
    pub engines: &'static str,
}

macro_rules! voices {
    ($($name:literal $lang:literal $eng:literal),* $(,)?) => {
        &[$(Voice { name: $name, language: $lang, engines: $eng }),*]
    };
}

/// Every Polly voice.
pub const VOICES: &[Voice] = voices![
    "Danielle" "en-US" "ngl", "Gregory" "en-US" "nl", "Ivy" "en-US" "sn", "Joanna" "en-US" "sng",
    "Kendra" "en-US" "sn", "Kimberly" "en-US" "sn", "Salli" "en-US" "sng", "Joey" "en-US" "sn",
    "Justin" "en-US" "sn", "Kevin" "en-US" "n", "Matthew" "en-US" "sng", "Ruth" "en-US" "ngl",
    "Stephen" "en-US" "ng", "Patrick" "en-US" "l",
    "Amy" "en-GB" "sng", "Emma" "en-GB" "sn", "Brian" "en-GB" "sn", "Arthur" "en-GB" "n",
    "Nicole" "en-AU" "s", "Olivia" "en-AU" "ng", "Russell" "en-AU" "s",
    "Aditi" "en-IN" "s", "Raveena" "en-IN" "s", "Kajal" "en-IN" "ng",
    "Aria" "en-NZ" "n", "Ayanda" "en-ZA" "ng", "Niamh" "en-IE" "n", "Geraint" "en-GB-WLS" "s",
    "Jasmine" "en-SG" "n",
    "Gwyneth" "cy-GB" "s",
    "Conchita" "es-ES" "s", "Lucia" "es-ES" "sng", "Enrique" "es-ES" "s", "Sergio" "es-ES" "ng",
    "Alba" "es-ES" "l", "Raul" "es-ES" "l",
    "Mia" "es-MX" "sng", "Andres" "es-MX" "ng",
    "Lupe" "es-US" "sng", "Penelope" "es-US" "s", "Miguel" "es-US" "s", "Pedro" "es-US" "ng",
    "Celine" "fr-FR" "s", "Lea" "fr-FR" "sng", "Mathieu" "fr-FR" "s", "Remi" "fr-FR" "ng",
    "Chantal" "fr-CA" "s", "Gabrielle" "fr-CA" "ng", "Liam" "fr-CA" "ng",
    "Isabelle" "fr-BE" "n",
    "Marlene" "de-DE" "s", "Vicki" "de-DE" "sng", "Hans" "de-DE" "s", "Daniel" "de-DE" "ng",
    "Hannah" "de-AT" "n", "Sabrina" "de-CH" "n",
    "Carla" "it-IT" "s", "Bianca" "it-IT" "sng", "Giorgio" "it-IT" "s", "Adriano" "it-IT" "n",
    "Camila" "pt-BR" "sn", "Vitoria" "pt-BR" "sn", "Ricardo" "pt-BR" "s", "Thiago" "pt-BR" "n",
    "Ines" "pt-PT" "sn", "Cristiano" "pt-PT" "s",
    "Lotte" "nl-NL" "s", "Ruben" "nl-NL" "s", "Laura" "nl-NL" "n", "Lisa" "nl-BE" "n",
    "Mizuki" "ja-JP" "s", "Takumi" "ja-JP" "sn", "Kazuha" "ja-JP" "n", "Tomoko" "ja-JP" "n",
    "Seoyeon" "ko-KR" "sn", "Zhiyu" "cmn-CN" "sn", "Hiujin" "yue-CN" "n",
    "Zeina" "arb" "s", "Hala" "ar-AE" "n", "Zayd" "ar-AE" "n",
    "Naja" "da-DK" "s", "Mads" "da-DK" "s", "Sofie" "da-DK" "n",
    "Astrid" "sv-SE" "s", "Elin" "sv-SE" "n", "Liv" "nb-NO" "s", "Ida" "nb-NO" "n",
    "Suvi" "fi-FI" "n",
    "Ewa" "pl-PL" "s", "Maja" "pl-PL" "s", "Jacek" "pl-PL" "s", "Jan" "pl-PL" "s", "Ola" "pl-PL" "n",
    "Tatyana" "ru-RU" "s", "Maxim" "ru-RU" "s",
    "Filiz" "tr-TR" "s", "Burcu" "tr-TR" "n", "Carmen" "ro-RO" "s",
    "Dora" "is-IS" "s", "Karl" "is-IS" "s", "Arlet" "ca-ES" "n", "Jitka" "cs-CZ" "n",
];

/// Fold a name for lookup: case and the accents Polly's ids drop (`Léa` → `lea`).
fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'Á' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'î' | 'ï' | 'Í' => 'i',
            'ó' | 'ô' | 'ö' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The voice with this name (case and accents ignored).
pub fn voice(name: &str) -> Option<&'static Voice> {
    let n = fold(name);
    VOICES.iter().find(|v| fold(v.name) == n)
}

/// The engine's name as Polly writes it, if it is one.
pub fn engine(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    ENGINES.iter().copied().find(|e| *e == n)
}

impl Voice {
    /// Does this voice speak with `engine` (a name from [`ENGINES`])?
    pub fn speaks_with(&self, engine: &str) -> bool {
        let code = match engine {
            "standard" => 's',
            "neural" => 'n',
            "long-form" => 'l',
            "generative" => 'g',
            _ => return false,
        };
        self.engines.contains(code)
    }
}
