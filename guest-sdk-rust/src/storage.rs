//! Durable per-room key-value storage (ABI v1, section 7 "Storage").

use crate::codec;
use crate::rt::{check, read_out};
use crate::sys::{self, len, ptr};
use crate::Error;

/// The room's durable storage: a sorted key-value store of its own per room. Obtain it with
/// [`Room::storage`](crate::Room::storage).
///
/// - Keys are 1 byte to 2 KiB, values 0 bytes to 2 MiB ([`Error::TooLarge`] otherwise); keys and
///   values of a room together may take 128 MiB ([`Error::QuotaExceeded`]). A call that fails
///   writes nothing.
/// - **One hook, one transaction.** Reads see every earlier write, including the hook's own. When
///   the hook returns, all its writes (and alarm changes) become durable together; if it panics
///   (traps), none of them happen.
/// - **Reads never wait**: the room's data is in memory before [`Party::new`](crate::Party::new)
///   runs, so [`get`](Self::get) and [`list`](Self::list) are cheap; `new` is the place to load
///   what the room keeps in fields.
/// - **Output gate.** Messages and responses a hook produces reach clients only once its writes are
///   durable, so no client sees state that a crash could take back.
///
/// Whatever outlives a restart or hibernation of the room (both run `new` again) belongs here.
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

    /// Values of several keys, in the order of `keys` (a loop over [`get`](Self::get): reads are
    /// served from memory, so a batch costs no more than its calls).
    pub fn get_many<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<Vec<Option<Vec<u8>>>, Error> {
        keys.iter().map(|k| self.get(k)).collect()
    }

    /// Stores several entries in one host call (`storage_put_many`), all or nothing; a key given
    /// twice takes its last value.
    pub fn put_many<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, entries: &[(K, V)]) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        let list = encode_entries(entries);
        check(unsafe { sys::storage_put_many(ptr(list.as_ptr()), len(list.len())) }).map(drop)
    }

    /// Deletes several keys in one host call (`storage_delete_many`); returns how many existed.
    pub fn delete_many<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<u32, Error> {
        if keys.is_empty() {
            return Ok(0);
        }
        let list = codec::encode_list(keys.iter());
        check(unsafe { sys::storage_delete_many(ptr(list.as_ptr()), len(list.len())) }).map(|n| n as u32)
    }
}

/// The byte-string list `[key1, value1, key2, value2, ...]` that `storage_put_many` takes.
fn encode_entries<K: AsRef<[u8]>, V: AsRef<[u8]>>(entries: &[(K, V)]) -> Vec<u8> {
    let items = || entries.iter().flat_map(|(k, v)| [k.as_ref(), v.as_ref()]);
    let mut out = Vec::with_capacity(codec::encoded_len(items()));
    codec::encode_list_into(items(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_many_encodes_keys_and_values_alternating() {
        let entries = [("a", &b""[..]), ("key", b"\x00\xff")];
        let list = encode_entries(&entries);
        assert_eq!(list, [&[1, 0, 0, 0, b'a', 0, 0, 0, 0][..], &[3, 0, 0, 0], b"key", &[2, 0, 0, 0, 0, 0xff]].concat());
        assert_eq!(codec::decode_list(&list).unwrap(), vec![&b"a"[..], b"", b"key", b"\x00\xff"]);
        let owned: Vec<(String, Vec<u8>)> = vec![("k".into(), vec![7])];
        assert_eq!(encode_entries(&owned), vec![1, 0, 0, 0, b'k', 1, 0, 0, 0, 7]);
        assert!(encode_entries::<&str, &str>(&[]).is_empty());
    }

    /// Off wasm32 the host calls are stubs answering NOT_IMPLEMENTED: every wrapper hands the
    /// status to the caller as an error (and empty batches make no call at all).
    #[test]
    fn host_errors_reach_the_caller() {
        let s = Storage::new();
        assert_eq!(s.get("k"), Err(Error::NotImplemented));
        assert_eq!(s.get_many(&["a", "b"]), Err(Error::NotImplemented));
        assert_eq!(s.get_many::<&str>(&[]), Ok(vec![]));
        assert_eq!(s.put("k", "v"), Err(Error::NotImplemented));
        assert_eq!(s.put_many(&[("k", "v")]), Err(Error::NotImplemented));
        assert_eq!(s.put_many::<&str, &str>(&[]), Ok(()));
        assert_eq!(s.delete("k"), Err(Error::NotImplemented));
        assert_eq!(s.delete_many(&[b"k".to_vec()]), Err(Error::NotImplemented));
        assert_eq!(s.delete_many::<&str>(&[]), Ok(0));
        assert_eq!(s.list(&ListOptions { prefix: b"p", ..Default::default() }), Err(Error::NotImplemented));
        assert_eq!(s.delete_all(), Err(Error::NotImplemented));
    }
}
