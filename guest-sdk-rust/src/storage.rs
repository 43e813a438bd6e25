//! Durable per-room key-value storage (ABI v1, section 7 "Storage").

use crate::codec;
use crate::rt::{check, read_out};
use crate::sys::{self, len, ptr};
use crate::Error;

/// The room's durable storage. Keys are 1 byte to 2 KiB, values up to 2 MiB; all writes of one
/// hook commit together. Obtain it with [`Room::storage`](crate::Room::storage).
///
/// Until the host's durable storage lands, every call fails with [`Error::NotImplemented`].
#[derive(Clone, Copy, Debug)]
pub struct Storage {
    _private: (),
}

/// Which entries [`Storage::list`] returns. Empty bounds are open; `limit == 0` means no limit.
///
/// ```
/// # use partyhost::ListOptions;
/// let opts = ListOptions { prefix: b"msg:", limit: 10, reverse: true, ..Default::default() };
/// # let _ = opts;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListOptions<'a> {
    /// Only keys starting with this.
    pub prefix: &'a [u8],
    /// Only keys `>= start`.
    pub start: &'a [u8],
    /// Only keys `< end`.
    pub end: &'a [u8],
    /// At most this many entries (0: all).
    pub limit: u32,
    /// Descending key order instead of ascending (unsigned byte order).
    pub reverse: bool,
}

impl Storage {
    pub(crate) const fn new() -> Storage {
        Storage { _private: () }
    }

    /// The value of `key`, or `None` if there is none.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, Error> {
        let key = key.as_ref();
        match read_out(|out, cap| unsafe {
            sys::storage_get(ptr(key.as_ptr()), len(key.len()), out, cap)
        }) {
            Ok(v) => Ok(Some(v)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stores `value` under `key` (replacing any previous value).
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<(), Error> {
        let (key, value) = (key.as_ref(), value.as_ref());
        check(unsafe {
            sys::storage_put(ptr(key.as_ptr()), len(key.len()), ptr(value.as_ptr()), len(value.len()))
        })
        .map(drop)
    }

    /// Deletes `key`; `true` if it existed.
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<bool, Error> {
        let key = key.as_ref();
        check(unsafe { sys::storage_delete(ptr(key.as_ptr()), len(key.len())) }).map(|n| n == 1)
    }

    /// Entries matching `opts`, as `(key, value)` pairs in key order.
    pub fn list(&self, opts: &ListOptions<'_>) -> Result<Vec<(Vec<u8>, Vec<u8>)>, Error> {
        let limit = if opts.limit > i32::MAX as u32 { 0 } else { opts.limit as i32 };
        let bytes = read_out(|out, cap| unsafe {
            sys::storage_list(
                ptr(opts.prefix.as_ptr()),
                len(opts.prefix.len()),
                ptr(opts.start.as_ptr()),
                len(opts.start.len()),
                ptr(opts.end.as_ptr()),
                len(opts.end.len()),
                limit,
                opts.reverse as i32,
                out,
                cap,
            )
        })?;
        let items = codec::decode_list(&bytes)?;
        if items.len() % 2 != 0 {
            return Err(Error::Invalid);
        }
        Ok(items.chunks_exact(2).map(|kv| (kv[0].to_vec(), kv[1].to_vec())).collect())
    }

    /// Deletes every key of the room.
    pub fn delete_all(&self) -> Result<(), Error> {
        check(unsafe { sys::storage_delete_all() }).map(drop)
    }

    /// Values of several keys (a loop over [`get`](Self::get); reads are served from memory).
    pub fn get_many<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<Vec<Option<Vec<u8>>>, Error> {
        keys.iter().map(|k| self.get(k)).collect()
    }

    /// Stores several entries (a loop over [`put`](Self::put); the hook commits once).
    pub fn put_many<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, entries: &[(K, V)]) -> Result<(), Error> {
        entries.iter().try_for_each(|(k, v)| self.put(k, v))
    }

    /// Deletes several keys; returns how many existed.
    pub fn delete_many<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<usize, Error> {
        let mut n = 0;
        for k in keys {
            if self.delete(k)? {
                n += 1;
            }
        }
        Ok(n)
    }
}
