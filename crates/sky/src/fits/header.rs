//! FITS header cards, read without cfitsio: [`read_header`] (healpy's `read_map(h=True)`).
//!
//! Headers are 2880-byte blocks of 80-character cards ending in `END`. Plain and gzip files are
//! read as a stream, one block at a time, so memory stays at a few blocks whatever the file
//! declares; the data of earlier HDUs is skipped, never held.

use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Result, SkyError};

pub(super) const BLOCK: u64 = 2880;
const CARD: usize = 80;
/// Headers longer than this are refused (a real HEALPix header is a few blocks).
const MAX_HEADER_BYTES: u64 = 1 << 24;

/// One header card: keyword, value (strings without their quotes) and comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderCard {
    /// The keyword, such as `NSIDE` (`COMMENT` and `HISTORY` cards have no value).
    pub key: String,
    /// The value as written; quoted strings lose their quotes and trailing blanks.
    pub value: String,
    /// The comment after `/`, or the text of a `COMMENT`/`HISTORY` card.
    pub comment: String,
}

/// The cards of one HDU's header, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FitsHeader {
    /// The cards, without the closing `END`.
    pub cards: Vec<HeaderCard>,
    /// Bytes of header, a multiple of 2880.
    pub(super) size: u64,
    /// The header's blocks as read (for copying a decompressed file).
    pub(super) raw: Vec<u8>,
}

impl FitsHeader {
    /// The value of keyword `key` (exact, upper case as in the file), if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cards
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.value.as_str())
    }

    pub(super) fn int(&self, key: &str) -> Option<i64> {
        self.get(key)?.trim().parse().ok()
    }

    /// The data size of the HDU in bytes, before padding to 2880; `None` when the header does
    /// not say or the product overflows.
    pub(super) fn data_size(&self) -> Option<u64> {
        let bitpix = self.int("BITPIX")?.unsigned_abs();
        let naxis = self.int("NAXIS")?;
        if naxis == 0 {
            return Some(0);
        }
        let mut n: u64 = 1;
        for i in 1..=naxis {
            n = n.checked_mul(u64::try_from(self.int(&format!("NAXIS{i}"))?).ok()?)?;
        }
        let pcount = self.int("PCOUNT").unwrap_or(0).max(0) as u64;
        let gcount = self.int("GCOUNT").unwrap_or(1).max(1) as u64;
        (bitpix / 8)
            .checked_mul(gcount)?
            .checked_mul(pcount.checked_add(n)?)
    }
}

/// One 80-character card, or `None` for a blank card.
fn parse_card(text: &str) -> Option<HeaderCard> {
    let key = text.get(..8).unwrap_or(text).trim_end().to_string();
    if key.is_empty() {
        return None;
    }
    let rest = text.get(8..).unwrap_or("");
    let Some(raw) = rest.strip_prefix("= ") else {
        return Some(HeaderCard {
            key,
            value: String::new(),
            comment: rest.trim().to_string(),
        });
    };
    let trimmed = raw.trim_start();
    let (value, after) = if let Some(quoted) = trimmed.strip_prefix('\'') {
        // '' inside a string is one quote.
        let mut value = String::new();
        let mut chars = quoted.char_indices().peekable();
        let mut end = quoted.len();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|&(_, n)| n) == Some('\'') {
                    value.push('\'');
                    chars.next();
                    continue;
                }
                end = i + 1;
                break;
            }
            value.push(c);
        }
        (
            value.trim_end().to_string(),
            &quoted[end.min(quoted.len())..],
        )
    } else {
        let end = trimmed.find('/').unwrap_or(trimmed.len());
        (trimmed[..end].trim().to_string(), &trimmed[end..])
    };
    let comment = after
        .trim_start()
        .strip_prefix('/')
        .unwrap_or("")
        .trim()
        .to_string();
    Some(HeaderCard {
        key,
        value,
        comment,
    })
}

/// Reads until `block` is full or the stream ends; the number of bytes read.
fn fill(reader: &mut impl Read, block: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < block.len() {
        match reader.read(&mut block[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads one header from `reader`, which stands at its first block. `None` at a clean end of
/// the stream before any block.
pub(super) fn read_one(reader: &mut impl Read) -> std::io::Result<Option<FitsHeader>> {
    let mut header = FitsHeader::default();
    let mut block = vec![0u8; BLOCK as usize];
    loop {
        let got = fill(reader, &mut block)?;
        if got == 0 && header.size == 0 {
            return Ok(None);
        }
        if got < block.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file ends inside a header block (truncated or damaged file)",
            ));
        }
        header.size += BLOCK;
        header.raw.extend_from_slice(&block);
        for card in block.chunks_exact(CARD) {
            let text = String::from_utf8_lossy(card);
            if text.get(..8).map(str::trim_end) == Some("END") {
                return Ok(Some(header));
            }
            header.cards.extend(parse_card(&text));
        }
        if header.size > MAX_HEADER_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "no END card within 16 MB",
            ));
        }
    }
}

/// The header of HDU `hdu` (0 = the primary header, 1 = the first extension, where HEALPix
/// maps live) of a FITS file, plain or gzip-compressed: healpy's `read_map(..., h=True)`.
///
/// # Errors
/// [`SkyError::Io`] when the file cannot be read, [`SkyError::Fits`] when it is not FITS, a
/// header has no `END`, or the file has fewer HDUs.
///
/// # Example
/// ```no_run
/// let header = tessera_sky::read_header("map.fits", 1)?;
/// println!("COORDSYS = {:?}", header.get("COORDSYS"));
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
pub fn read_header(path: impl AsRef<Path>, hdu: usize) -> Result<FitsHeader> {
    let path = path.as_ref();
    let mut reader = open_stream(path)?;
    let mut last = None;
    check_sizes(
        path,
        &mut reader,
        hdu,
        |header| {
            last = Some(header.clone());
            Ok(())
        },
        |reader, bytes| std::io::copy(&mut reader.take(bytes), &mut std::io::sink()),
    )?;
    last.ok_or_else(|| SkyError::Fits {
        path: path.to_path_buf(),
        message: format!("HDU {hdu} was not reached"),
    })
}

/// The file opened for buffered reading, and whether it is gzip (by its magic bytes).
fn open_file(path: &Path) -> Result<(BufReader<std::fs::File>, bool)> {
    use std::io::BufRead;
    let io = |source| SkyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let gzip = file.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    Ok((file, gzip))
}

/// The file as a byte stream, decompressed when it is gzip.
fn open_stream(path: &Path) -> Result<Box<dyn Read>> {
    let (file, gzip) = open_file(path)?;
    Ok(if gzip {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// A file cfitsio can be pointed at safely for HDU `hdu`: every header up to it read, and every
/// declared data size up to its end checked against the bytes present. A gzip file is
/// decompressed up to the end of that HDU only, into a temporary file that lives as long as
/// this value (cfitsio would inflate the whole stream in memory, whatever the header declares).
pub(super) struct CheckedFile {
    /// Where cfitsio reads: the file itself or the decompressed copy.
    pub(super) path: std::path::PathBuf,
    _decompressed: Option<tempfile::TempPath>,
}

/// Checks `path` up to the end of HDU `hdu` as [`CheckedFile`] describes.
///
/// # Errors
/// [`SkyError::Io`] when the file cannot be read, [`SkyError::Fits`] when a header is malformed or
/// the file has fewer HDUs, [`SkyError::TooLarge`] when a header declares more data than follows.
pub(super) fn checked_file(path: &Path, hdu: usize) -> Result<CheckedFile> {
    let io = |source| SkyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (file, gzip) = open_file(path)?;
    if !gzip {
        let len = std::fs::metadata(path).map_err(io)?.len();
        let mut reader = file;
        check_sizes(
            path,
            &mut reader,
            hdu,
            |_| Ok(()),
            |reader, bytes| {
                // Seek past the data instead of reading it.
                use std::io::Seek;
                let at = reader.stream_position()?;
                let left = len.saturating_sub(at);
                reader.seek_relative(bytes.min(left) as i64)?;
                Ok(bytes.min(left))
            },
        )?;
        return Ok(CheckedFile {
            path: path.to_path_buf(),
            _decompressed: None,
        });
    }
    let mut reader = flate2::read::GzDecoder::new(file);
    let mut copy = tempfile::Builder::new()
        .prefix(&format!(
            "{}{}-",
            tessera_io::TEMP_PREFIX,
            std::process::id()
        ))
        .suffix(".fits")
        .tempfile()
        .map_err(io)?;
    {
        let out = std::cell::RefCell::new(std::io::BufWriter::new(copy.as_file_mut()));
        check_sizes(
            path,
            &mut reader,
            hdu,
            |header| {
                use std::io::Write;
                out.borrow_mut().write_all(&header.raw)
            },
            |reader, bytes| std::io::copy(&mut reader.take(bytes), &mut *out.borrow_mut()),
        )?;
        use std::io::Write;
        out.into_inner().flush().map_err(io)?;
    }
    Ok(CheckedFile {
        path: copy.path().to_path_buf(),
        _decompressed: Some(copy.into_temp_path()),
    })
}

/// Walks the HDUs up to `hdu`: `on_header` sees each header, `skip` moves over (or copies)
/// `bytes` of data and says how many were there.
fn check_sizes<R: Read>(
    path: &Path,
    reader: &mut R,
    hdu: usize,
    mut on_header: impl FnMut(&FitsHeader) -> std::io::Result<()>,
    mut skip: impl FnMut(&mut R, u64) -> std::io::Result<u64>,
) -> Result<()> {
    let bad = |message: String| SkyError::Fits {
        path: path.to_path_buf(),
        message,
    };
    for index in 0..=hdu {
        let header = read_one(reader)
            .map_err(|e| bad(format!("reading the header of HDU {index}: {e}")))?
            .ok_or_else(|| match index {
                0 => bad("not a FITS file (not even one 2880-byte header block)".into()),
                _ => bad(format!(
                    "the file has {index} HDUs (0 to {}), so no HDU {hdu}",
                    index - 1
                )),
            })?;
        if index == 0 && header.get("SIMPLE") != Some("T") {
            return Err(bad("not a FITS file (no SIMPLE = T card)".into()));
        }
        on_header(&header).map_err(|e| bad(format!("copying HDU {index}: {e}")))?;
        let declared = header
            .data_size()
            .ok_or_else(|| bad(format!("HDU {index}'s header does not give its data size")))?;
        let present = skip(reader, declared)
            .map_err(|e| bad(format!("reading the data of HDU {index}: {e}")))?;
        if present < declared {
            return Err(SkyError::TooLarge {
                path: path.to_path_buf(),
                detail: format!(
                    "HDU {index}'s header declares {declared} bytes of data ({} rows of {} \
                     bytes), but only {present} follow (truncated, or a false header)",
                    header.int("NAXIS2").unwrap_or(0),
                    header.int("NAXIS1").unwrap_or(0)
                ),
            });
        }
        if index < hdu {
            // The padding to the next 2880-byte block.
            let padding = declared.div_ceil(BLOCK) * BLOCK - declared;
            skip(reader, padding).map_err(|e| bad(format!("after HDU {index}: {e}")))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(text: &str) -> String {
        format!("{text:<80}")
    }

    #[test]
    fn cards_split_into_key_value_and_comment() {
        let c = parse_card(&card(
            "ORDERING= 'RING    '           / Pixel ordering scheme",
        ))
        .unwrap();
        assert_eq!((c.key.as_str(), c.value.as_str()), ("ORDERING", "RING"));
        assert_eq!(c.comment, "Pixel ordering scheme");
        let c = parse_card(&card("NSIDE   =                   32 / Resolution")).unwrap();
        assert_eq!((c.value.as_str(), c.comment.as_str()), ("32", "Resolution"));
        let c = parse_card(&card("OBJECT  = 'it''s / here'")).unwrap();
        assert_eq!(c.value, "it's / here");
        let c = parse_card(&card("COMMENT  made by hand")).unwrap();
        assert_eq!((c.value.as_str(), c.comment.as_str()), ("", "made by hand"));
        assert!(parse_card(&card("")).is_none());
    }
}
