//! The two languages boxlab speaks, and text made at run time in both.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }

    /// From the locale variables (LC_ALL, LC_MESSAGES, LANG): Korean for `ko*`, else English.
    pub fn from_env() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
        if locale.is_some_and(|l| l.starts_with("ko")) {
            Lang::Ko
        } else {
            Lang::En
        }
    }
}

/// Text in both languages, made where the learner's is not known: a check's evidence (the
/// runner that judges a step does not know it), a note on a syscall; the screen shows either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub en: String,
    pub ko: String,
}

impl Detail {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }

    /// This text after a lead-in in each language (`no timed write: ` + why).
    pub fn led_by(&self, en: &str, ko: &str) -> Detail {
        Detail {
            en: format!("{en}{}", self.en),
            ko: format!("{ko}{}", self.ko),
        }
    }

    /// Text that is the same in both languages: a probe's error as the system worded it
    /// (strerror, a path), or values alone.
    pub fn same(text: impl Into<String>) -> Detail {
        let en = text.into();
        Detail { ko: en.clone(), en }
    }
}

/// `count` English words: "1 fork", "3 forks" (Korean counts with 개 and needs no plural).
pub fn count_of(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// `detail!("host {h}", "호스트 {h}", args...)`: a [`Detail`] from one English and one Korean
/// format string over the same values.
macro_rules! detail {
    ($en:literal, $ko:literal $(, $arg:expr)* $(,)?) => {
        $crate::lang::Detail {
            en: format!($en $(, $arg)*),
            ko: format!($ko $(, $arg)*),
        }
    };
}
pub(crate) use detail;
