//! The Teams app package an administrator uploads to publish the bot: `manifest.json` on the
//! newest stable schema (v1.30), the colour icon (192×192) and the outline icon (32×32, white on
//! transparent), made from the app's own icon, in a zip. Source:
//! <https://learn.microsoft.com/microsoft-365/extensibility/schema/root-icons>.

use super::Bot;
use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

use super::{APP_NAME, BotError};
use crate::{Result, VERSION};

/// The manifest schema the package is written for.
pub const MANIFEST_VERSION: &str = "1.30";

const SOURCE_ICON: &[u8] = include_bytes!("../../../../../icons/icon.png");
pub const COLOR_ICON_SIZE: u32 = 192;
pub const OUTLINE_ICON_SIZE: u32 = 32;

/// A package written to disk, as the Connectors page and the CLI report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedPackage {
    pub path: String,
    pub bytes: u64,
    pub app_id: String,
    pub manifest_version: String,
}

/// The manifest for the bot with application ID `app_id`. The manifest id is the bot's
/// application ID too, so the tenant's catalog finds the app by it (`externalId`).
pub fn manifest(app_id: &str) -> Value {
    json!({
        "$schema": format!("https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"),
        "manifestVersion": MANIFEST_VERSION,
        "version": VERSION,
        "id": app_id,
        "developer": {
            "name": "OX Security",
            "websiteUrl": "https://www.ox.security",
            "privacyUrl": "https://www.ox.security/privacy-policy",
            "termsOfUseUrl": "https://www.ox.security/terms-of-use"
        },
        "name": { "short": APP_NAME, "full": format!("{APP_NAME} for Microsoft Teams") },
        "description": {
            "short": "Security issues from OX, sent to the people and channels that own them.",
            "full": "OX Security Alerts posts security issues found by your scanners to Microsoft Teams: to the people who own them and to your security channels, by hand from OX Teams Connector or by its workflows when issues are new, updated or due in a periodic digest. Every message links straight to its issue. The bot only sends; it does not read your messages."
        },
        "icons": { "color": "color.png", "outline": "outline.png" },
        "accentColor": "#5B5FC7",
        "bots": [ {
            "botId": app_id,
            "scopes": ["personal", "team", "groupChat"],
            "isNotificationOnly": true,
            "supportsFiles": false
        } ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": ["www.ox.security"],
        "webApplicationInfo": { "id": app_id }
    })
}

/// The colour icon: the app's icon at 192×192.
pub fn color_icon() -> Vec<u8> {
    let (width, height, pixels) = decode(SOURCE_ICON);
    let small = resize(&pixels, width, height, COLOR_ICON_SIZE);
    encode(&small, COLOR_ICON_SIZE)
}

/// The outline icon: the white parts of the app's icon (shield and speech bubble) in white,
/// everything else transparent, at 32×32.
pub fn outline_icon() -> Vec<u8> {
    let (width, height, pixels) = decode(SOURCE_ICON);
    let mask: Vec<u8> = pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let lightest_channel = p[0].min(p[1]).min(p[2]);
            // Near-white pixels count; the purple background and the dots do not.
            let whiteness = (f32::from(lightest_channel) - 190.0) / 65.0;
            let alpha = (whiteness.clamp(0.0, 1.0) * f32::from(p[3])).round() as u8;
            [255, 255, 255, alpha]
        })
        .collect();
    let small = resize(&mask, width, height, OUTLINE_ICON_SIZE);
    let white: Vec<u8> = small
        .chunks_exact(4)
        .flat_map(|p| {
            if p[3] == 0 {
                [0, 0, 0, 0]
            } else {
                [255, 255, 255, p[3]]
            }
        })
        .collect();
    encode(&white, OUTLINE_ICON_SIZE)
}

/// The zipped package: `manifest.json`, `color.png`, `outline.png`.
pub fn build(app_id: &str) -> Vec<u8> {
    let manifest = serde_json::to_vec_pretty(&manifest(app_id)).expect("manifests serialise");
    store_zip(&[
        ("manifest.json", &manifest),
        ("color.png", &color_icon()),
        ("outline.png", &outline_icon()),
    ])
}

impl Bot<'_> {
    /// Writes the app package for the configured bot to `path`.
    pub fn save_package(&self, path: &std::path::Path) -> Result<SavedPackage> {
        let row = self.core.store.load_bot()?;
        if row.app_id.is_empty() {
            return Err(BotError::NotConfigured {
                missing: "application ID".into(),
            }
            .into());
        }
        write(&row.app_id, path)
    }
}

/// Writes the app package for the bot with application ID `app_id` to `path`.
pub fn write(app_id: &str, path: &std::path::Path) -> Result<SavedPackage> {
    let app_id = app_id.trim().to_ascii_lowercase();
    if !crate::settings::is_guid(&app_id) {
        return Err(BotError::Invalid(format!(
            "“{app_id}” is not an application ID: it is a GUID such as \
             3fa85f64-5717-4562-b3fc-2c963f66afa6."
        ))
        .into());
    }
    let zip = build(&app_id);
    std::fs::write(path, &zip).map_err(|e| BotError::PackageWrite {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    log::info!("saved the Teams app package to {}", path.display());
    Ok(SavedPackage {
        path: path.display().to_string(),
        bytes: zip.len() as u64,
        app_id,
        manifest_version: MANIFEST_VERSION.into(),
    })
}

/// The package's file name in a folder: `ox-security-alerts-teams-app.zip`, or with ` (2)`,
/// ` (3)`… when that name is taken, as browsers name downloads.
pub fn free_name(folder: &std::path::Path) -> std::path::PathBuf {
    const STEM: &str = "ox-security-alerts-teams-app";
    std::iter::once(folder.join(format!("{STEM}.zip")))
        .chain((2..).map(|n| folder.join(format!("{STEM} ({n}).zip"))))
        .find(|path| !path.exists())
        .expect("some name is free")
}

fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().expect("the bundled icon is a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a small icon")];
    let info = reader
        .next_frame(&mut pixels)
        .expect("the bundled icon is a PNG");
    pixels.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgba, "the icon is RGBA");
    (info.width, info.height, pixels)
}

fn encode(pixels: &[u8], size: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, size, size);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("writing to memory");
        writer.write_image_data(pixels).expect("writing to memory");
    }
    out
}

/// Area-averaging downscale of an RGBA image to `size`×`size`, in premultiplied alpha so
/// transparent pixels do not darken the edges.
fn resize(pixels: &[u8], width: u32, height: u32, size: u32) -> Vec<u8> {
    let (w, h, s) = (width as usize, height as usize, size as usize);
    // (first source index, weights) for each destination index along one axis.
    let spans = |from: usize| -> Vec<Vec<(usize, f32)>> {
        let scale = from as f32 / s as f32;
        (0..s)
            .map(|d| {
                let (start, end) = (d as f32 * scale, (d + 1) as f32 * scale);
                (start.floor() as usize..(end.ceil() as usize).min(from))
                    .map(|i| {
                        let overlap = (end.min(i as f32 + 1.0) - start.max(i as f32)).max(0.0);
                        (i, overlap / scale)
                    })
                    .collect()
            })
            .collect()
    };
    let (xs, ys) = (spans(w), spans(h));
    let mut out = vec![0u8; s * s * 4];
    for (dy, row_weights) in ys.iter().enumerate() {
        for (dx, column_weights) in xs.iter().enumerate() {
            let mut sum = [0f32; 4];
            for &(sy, wy) in row_weights {
                for &(sx, wx) in column_weights {
                    let p = &pixels[(sy * w + sx) * 4..][..4];
                    let weight = wx * wy;
                    let alpha = f32::from(p[3]) / 255.0;
                    for c in 0..3 {
                        sum[c] += f32::from(p[c]) * alpha * weight;
                    }
                    sum[3] += alpha * weight;
                }
            }
            let o = &mut out[(dy * s + dx) * 4..][..4];
            if sum[3] > 0.0 {
                for c in 0..3 {
                    o[c] = (sum[c] / sum[3]).round().clamp(0.0, 255.0) as u8;
                }
            }
            o[3] = (sum[3] * 255.0).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// A zip of stored (uncompressed) entries with a fixed date, so the same app id always gives
/// the same bytes. PNGs are compressed already and the manifest is small.
fn store_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(data);
        let (size, name_len) = (data.len() as u32, name.len() as u16);
        let put16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
        let put32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
        put32(&mut out, 0x0403_4b50);
        for x in [20, 0, 0, 0, DOS_DATE_1980_01_01] {
            put16(&mut out, x);
        }
        for x in [crc, size, size] {
            put32(&mut out, x);
        }
        put16(&mut out, name_len);
        put16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        put32(&mut central, 0x0201_4b50);
        for x in [20, 20, 0, 0, 0, DOS_DATE_1980_01_01] {
            put16(&mut central, x);
        }
        for x in [crc, size, size] {
            put32(&mut central, x);
        }
        for x in [name_len, 0, 0, 0, 0] {
            put16(&mut central, x);
        }
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let (central_offset, central_size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    let count = entries.len() as u16;
    for x in [0, 0, count, count] {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_package_gets_a_new_name() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_name(dir.path());
        std::fs::write(&first, b"x").unwrap();
        assert_eq!(
            free_name(dir.path()).file_name().unwrap(),
            "ox-security-alerts-teams-app (2).zip"
        );
    }

    #[test]
    fn the_icons_have_teams_sizes_and_the_outline_is_white_on_transparent() {
        let (w, h, _) = decode(&color_icon());
        assert_eq!((w, h), (192, 192));
        let (w, h, pixels) = decode(&outline_icon());
        assert_eq!((w, h), (32, 32));
        let transparent = pixels.chunks_exact(4).filter(|p| p[3] == 0).count();
        let visible: Vec<&[u8]> = pixels.chunks_exact(4).filter(|p| p[3] > 0).collect();
        assert!(
            transparent > 400,
            "the background is transparent ({transparent} of 1024)"
        );
        assert!(visible.len() > 100, "the shield shows ({})", visible.len());
        assert!(
            visible.iter().all(|p| p[..3] == [255, 255, 255]),
            "every visible pixel is white"
        );
        assert_eq!(pixels[3], 0, "the corner is transparent");
    }
}
