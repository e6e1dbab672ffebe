//! Machine images: the registry a machine starts from. The built-in Windows 10 image is the
//! 230-service fixture plus what it lacks to boot (35 stub drivers, the service group order,
//! the Control values) and the English text of its MUI display names and descriptions.
//!
//! ```
//! use scm_sim::machine::Image;
//!
//! let (reg, mui) = Image::Windows10.load().unwrap();
//! assert_eq!(fake_registry::service_names(&reg, &fake_registry::Caller::local_system()).len(), 265);
//! assert_eq!(mui.get(r"@%SYSTEMROOT%\SYSTEM32\AJROUTER.DLL,-2").map(String::as_str), Some("AllJoyn Router Service"));
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use fake_registry::service::service_key_path;
use fake_registry::{Caller, RegFileError, RegValue, Registry};

use super::profiles::{image_path_with_p, windows10_profiles};
use crate::service::scripted::Behavior;

/// The 230 Windows 10 services (regedit format).
pub const WINDOWS10_SERVICES_REG: &[u8] = include_bytes!("../../images/windows10-services.reg");
/// Stub drivers, ServiceGroupOrder, GroupOrderList and Control values.
pub const WINDOWS10_BOOT_REG: &[u8] = include_bytes!("../../images/windows10-boot.reg");
/// MUI indirect string → English text, tab-separated.
pub const WINDOWS10_MUI_TSV: &str = include_str!("../../images/windows10-mui.tsv");

/// Where a machine's registry comes from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Image {
    /// A fresh registry with no services.
    Empty,
    /// The built-in Windows 10 machine.
    Windows10,
    /// A `.reg` file imported into a fresh registry.
    RegFile(PathBuf),
    /// `.reg` text imported into a fresh registry.
    RegText(Vec<u8>),
    /// A registry as it is.
    Registry(Box<Registry>),
}

/// Why an image could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The `.reg` file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error (or the 64 MiB input cap).
        message: String,
        /// Its Win32 code (2 for a missing file, 5 for a folder, 223 over the cap …).
        code: u32,
    },
    /// The `.reg` text is malformed.
    #[error("{origin}: {error}")]
    RegFile {
        /// Which file.
        origin: String,
        /// The parse error (line and column).
        error: RegFileError,
    },
}

impl ImageError {
    /// The Win32 code Windows would give (2 for a missing file, 13 for malformed text).
    pub fn code(&self) -> u32 {
        match self {
            ImageError::Io { code, .. } => *code,
            ImageError::RegFile { error, .. } => error.code(),
        }
    }
}

/// Parses the MUI table: `indirect string TAB text` lines, `#` comments; keys upper-cased.
pub fn parse_mui(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.to_ascii_uppercase(), v.to_string()))
        .collect()
}

impl Image {
    /// A short stable description, part of the replay token's configuration hash.
    pub fn label(&self) -> String {
        match self {
            Image::Empty => "empty".into(),
            Image::Windows10 => "windows10".into(),
            Image::RegFile(p) => format!("file {}", p.display()),
            Image::RegText(bytes) => format!(
                "text {:016x}",
                crate::sim::fnv1a(&String::from_utf8_lossy(bytes))
            ),
            Image::Registry(_) => "registry".into(),
        }
    }

    /// The scripted behaviours this image gives its services, keyed by the folded name: the
    /// built-in Windows 10 profiles ([`super::profiles`]) for [`Image::Windows10`], none for
    /// the others.
    pub fn behaviors(&self) -> BTreeMap<String, Behavior> {
        match self {
            Image::Windows10 => windows10_profiles()
                .into_iter()
                .map(|(k, p)| (k, p.behavior))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// The registry and MUI table of this image.
    pub fn load(&self) -> Result<(Registry, BTreeMap<String, String>), ImageError> {
        let sys = Caller::local_system();
        let import = |reg: &mut Registry, origin: &str, bytes: &[u8]| {
            reg.import_reg(&sys, bytes)
                .map(|_| ())
                .map_err(|error| ImageError::RegFile {
                    origin: origin.to_string(),
                    error,
                })
        };
        match self {
            Image::Empty => Ok((Registry::new(), BTreeMap::new())),
            Image::Windows10 => {
                let mut reg = Registry::new();
                import(&mut reg, "windows10-services.reg", WINDOWS10_SERVICES_REG)?;
                import(&mut reg, "windows10-boot.reg", WINDOWS10_BOOT_REG)?;
                apply_dash_p(&mut reg);
                reg.drain_access_log();
                Ok((reg, parse_mui(WINDOWS10_MUI_TSV)))
            }
            Image::RegFile(path) => {
                let bytes =
                    fake_registry::limits::read_capped(path).map_err(|e| ImageError::Io {
                        path: path.clone(),
                        message: e.to_string(),
                        code: e.code(),
                    })?;
                let mut reg = Registry::new();
                import(&mut reg, &path.display().to_string(), &bytes)?;
                reg.drain_access_log();
                Ok((reg, BTreeMap::new()))
            }
            Image::RegText(bytes) => {
                let mut reg = Registry::new();
                import(&mut reg, "<text>", bytes)?;
                reg.drain_access_log();
                Ok((reg, BTreeMap::new()))
            }
            Image::Registry(reg) => Ok(((**reg).clone(), BTreeMap::new())),
        }
    }
}

/// Gives the svchost services whose profile says so the ` -p` of their Windows 10 ImagePath.
fn apply_dash_p(reg: &mut Registry) {
    let sys = Caller::local_system();
    for profile in windows10_profiles().values() {
        let key = service_key_path(&profile.name);
        let Ok(path) = reg.get_string(&sys, &key, "ImagePath") else {
            continue;
        };
        if let Some(with_p) = image_path_with_p(&path, profile) {
            let _ = reg.set_value(&sys, &key, "ImagePath", RegValue::expand_sz(&with_p));
        }
    }
}
