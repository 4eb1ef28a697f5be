//! Economies: ISO 3166-1 alpha-3 codes and named aggregates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An economy: a country or customs territory (ISO 3166-1 alpha-3), or a
/// named aggregate (`WLD`, `ROW`, `EU27`, `EU28`).
///
/// ```
/// use tradewar_core::Economy;
/// let us: Economy = "usa".parse()?;
/// assert_eq!(us, Economy::USA);
/// assert_eq!(us.to_string(), "USA");
/// assert!(Economy::EU27.includes(Economy::new("DEU")?));
/// assert!("XYZ".parse::<Economy>().is_err());
/// # Ok::<(), tradewar_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Economy {
    code: [u8; 4],
    len: u8,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // byte-string literals are references
const fn code3(s: &[u8; 3]) -> Economy {
    Economy { code: [s[0], s[1], s[2], 0], len: 3 }
}

/// ISO 3166-1 alpha-3 codes (officially assigned), plus `XKX` (Kosovo, used
/// by trade statistics) and `TWN`.
const ISO_ALPHA3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG", "AUS", "AUT",
    "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL",
    "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG",
    "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM",
    "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB", "GBR",
    "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY",
    "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA",
    "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY",
    "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL",
    "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM",
    "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER",
    "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU",
    "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON",
    "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT", "VEN", "VGB",
    "VIR", "VNM", "VUT", "WLF", "WSM", "XKX", "YEM", "ZAF", "ZMB", "ZWE",
];

/// Members of the European Union after the United Kingdom left (2020-02-01).
const EU27_MEMBERS: [Economy; 27] = [
    code3(b"AUT"),
    code3(b"BEL"),
    code3(b"BGR"),
    code3(b"CYP"),
    code3(b"CZE"),
    code3(b"DEU"),
    code3(b"DNK"),
    code3(b"ESP"),
    code3(b"EST"),
    code3(b"FIN"),
    code3(b"FRA"),
    code3(b"GRC"),
    code3(b"HRV"),
    code3(b"HUN"),
    code3(b"IRL"),
    code3(b"ITA"),
    code3(b"LTU"),
    code3(b"LUX"),
    code3(b"LVA"),
    code3(b"MLT"),
    code3(b"NLD"),
    code3(b"POL"),
    code3(b"PRT"),
    code3(b"ROU"),
    code3(b"SVK"),
    code3(b"SVN"),
    code3(b"SWE"),
];

impl Economy {
    /// The code's bytes as one number, one value per economy (codes shorter
    /// than four bytes are zero-padded by every constructor).
    pub(crate) fn packed(self) -> u32 {
        u32::from_le_bytes(self.code)
    }
}

impl Economy {
    /// United States.
    pub const USA: Economy = code3(b"USA");
    /// China (mainland customs territory).
    pub const CHN: Economy = code3(b"CHN");
    /// Canada.
    pub const CAN: Economy = code3(b"CAN");
    /// Mexico.
    pub const MEX: Economy = code3(b"MEX");
    /// Japan.
    pub const JPN: Economy = code3(b"JPN");
    /// The world: every economy.
    pub const WLD: Economy = code3(b"WLD");
    /// The rest of the world: every economy not named elsewhere in the same table.
    pub const ROW: Economy = code3(b"ROW");
    /// The European Union of 27 members (from 2020-02-01).
    pub const EU27: Economy = Economy { code: *b"EU27", len: 4 };
    /// The European Union of 28 members (to 2020-01-31).
    pub const EU28: Economy = Economy { code: *b"EU28", len: 4 };

    /// Validates a code (case-insensitive, surrounding spaces ignored).
    pub fn new(code: &str) -> Result<Self> {
        code.parse()
    }

    /// The code as text, e.g. `"USA"` or `"EU27"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters and digits are ever stored.
        std::str::from_utf8(&self.code[..self.len as usize]).unwrap_or("???")
    }

    /// Whether this is a named aggregate rather than a single economy.
    pub fn is_aggregate(self) -> bool {
        matches!(self, Self::WLD | Self::ROW | Self::EU27 | Self::EU28)
    }

    /// The explicit members of an aggregate (`EU27`, `EU28`); empty for
    /// single economies, for `WLD` (everyone) and `ROW` (context-dependent).
    pub fn members(self) -> Vec<Economy> {
        match self {
            Self::EU27 => EU27_MEMBERS.to_vec(),
            Self::EU28 => {
                let mut m = EU27_MEMBERS.to_vec();
                m.push(code3(b"GBR"));
                m.sort();
                m
            }
            _ => Vec::new(),
        }
    }

    /// Whether `other` is this economy or a member of this aggregate.
    /// `WLD` includes everyone; `ROW` includes only itself, since its
    /// membership depends on the table it appears in.
    pub fn includes(self, other: Economy) -> bool {
        if self == other || self == Self::WLD {
            return true;
        }
        match self {
            Self::EU27 => EU27_MEMBERS.contains(&other),
            Self::EU28 => EU27_MEMBERS.contains(&other) || other.as_str() == "GBR",
            _ => false,
        }
    }
}

impl FromStr for Economy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = || Error::UnknownEconomy { value: crate::error::excerpt(s) };
        if !(3..=4).contains(&t.len()) || !t.is_ascii() {
            return Err(bad());
        }
        let up = t.to_ascii_uppercase();
        for agg in [Self::WLD, Self::ROW, Self::EU27, Self::EU28] {
            if agg.as_str() == up {
                return Ok(agg);
            }
        }
        if up.len() == 3 && ISO_ALPHA3.binary_search(&up.as_str()).is_ok() {
            let b = up.as_bytes();
            return Ok(code3(&[b[0], b[1], b[2]]));
        }
        Err(bad())
    }
}

impl fmt::Display for Economy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Economy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Economy({})", self.as_str())
    }
}

impl TryFrom<String> for Economy {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Economy> for String {
    fn from(e: Economy) -> String {
        e.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_table_is_sorted_and_unique() {
        assert!(ISO_ALPHA3.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_ALPHA3.len() > 240);
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Economy::new(" chn ").unwrap(), Economy::CHN);
        assert_eq!(Economy::new("eu27").unwrap(), Economy::EU27);
        assert!(matches!(Economy::new("US"), Err(Error::UnknownEconomy { .. })));
        assert!(matches!(Economy::new("ÜSA"), Err(Error::UnknownEconomy { .. })));
        assert!(matches!(Economy::new("ZZZ"), Err(Error::UnknownEconomy { .. })));
    }

    #[test]
    fn membership() {
        assert_eq!(Economy::EU27.members().len(), 27);
        assert_eq!(Economy::EU28.members().len(), 28);
        assert!(Economy::EU28.includes(Economy::new("GBR").unwrap()));
        assert!(!Economy::EU27.includes(Economy::new("GBR").unwrap()));
        assert!(Economy::WLD.includes(Economy::CHN));
        assert!(!Economy::ROW.includes(Economy::CHN));
    }

    #[test]
    fn serde_is_the_code() {
        let j = serde_json::to_string(&Economy::USA).unwrap();
        assert_eq!(j, "\"USA\"");
        assert!(serde_json::from_str::<Economy>("\"XXX\"").is_err());
    }
}
