//! Layer tiles already cut, kept within a byte budget: the least recently used go first, so a
//! city's busy tiles stay while a planner's one-off pan through the suburbs passes through.
//! A tile's key holds the last revision of its layer that changed anything in it, so a tile
//! cut before a change there is never served again; it ages out like any other.

use hashlink::LinkedHashMap;
use std::sync::{Arc, Mutex};

/// (layer, the tile's revision within its layer, viewer, z, x, y).
pub type TileKey = (&'static str, i64, String, u8, u32, u32);

/// A quarter of a gigabyte of gzipped tiles: tens of thousands of city tiles.
pub const DEFAULT_BUDGET: usize = 256 << 20;

pub struct TileCache {
    inner: Mutex<Inner>,
}

struct Inner {
    tiles: LinkedHashMap<TileKey, Arc<Vec<u8>>>,
    bytes: usize,
    budget: usize,
}

impl Default for TileCache {
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET)
    }
}

impl TileCache {
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                tiles: LinkedHashMap::new(),
                bytes: 0,
                budget,
            }),
        }
    }

    /// The tile, marked as just used.
    pub fn get(&self, key: &TileKey) -> Option<Arc<Vec<u8>>> {
        let mut inner = self.inner.lock().ok()?;
        let tile = inner.tiles.to_back(key)?;
        Some(tile.clone())
    }

    /// Keeps a tile, evicting the least recently used until the budget holds. A tile larger
    /// than the whole budget is not kept.
    pub fn put(&self, key: TileKey, tile: Arc<Vec<u8>>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if tile.len() > inner.budget {
            return;
        }
        inner.bytes += tile.len();
        // `insert` moves a key already held to the back, as a use.
        if let Some(old) = inner.tiles.insert(key, tile) {
            inner.bytes -= old.len();
        }
        while inner.bytes > inner.budget {
            match inner.tiles.pop_front() {
                Some((_, t)) => inner.bytes -= t.len(),
                None => break,
            }
        }
    }

    /// Tiles held and their bytes (for `/metrics`).
    pub fn usage(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map(|i| (i.tiles.len(), i.bytes))
            .unwrap_or_default()
    }
}

/// Answers already made, the least recently used dropped past `capacity`: the layer
/// catalogue's entries per layer revision and viewer.
pub struct MadeOnce {
    inner: Mutex<hashlink::LruCache<String, serde_json::Value>>,
}

impl MadeOnce {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(hashlink::LruCache::new(capacity)),
        }
    }

    /// The answer kept under `key`, else `make`'s, kept.
    pub fn get_or_make(
        &self,
        key: String,
        make: impl FnOnce() -> serde_json::Value,
    ) -> serde_json::Value {
        if let Some(v) = self
            .inner
            .lock()
            .ok()
            .and_then(|mut c| c.get(&key).cloned())
        {
            return v;
        }
        let v = make();
        if let Ok(mut c) = self.inner.lock() {
            c.insert(key, v.clone());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_made_once_per_key_and_the_oldest_goes_past_capacity() {
        let cache = MadeOnce::new(2);
        let made = std::cell::Cell::new(0);
        let make = |v: i64| {
            made.set(made.get() + 1);
            serde_json::json!(v)
        };
        assert_eq!(cache.get_or_make("a".into(), || make(1)), 1);
        assert_eq!(cache.get_or_make("a".into(), || make(2)), 1);
        assert_eq!(made.get(), 1);
        cache.get_or_make("b".into(), || make(3));
        cache.get_or_make("c".into(), || make(4));
        // "a" was the least recently used of three: made again.
        assert_eq!(cache.get_or_make("a".into(), || make(5)), 5);
        assert_eq!(made.get(), 4);
    }

    fn key(x: u32) -> TileKey {
        ("lamps", 1, String::new(), 14, x, 0)
    }

    #[test]
    fn the_least_recently_used_tiles_go_first_and_the_budget_holds() {
        let cache = TileCache::new(300);
        for x in 0..3 {
            cache.put(key(x), Arc::new(vec![0; 100]));
        }
        assert_eq!(cache.usage(), (3, 300));
        // Tile 0 read again: tile 1 is now the oldest.
        assert!(cache.get(&key(0)).is_some());
        cache.put(key(3), Arc::new(vec![0; 100]));
        assert!(cache.get(&key(1)).is_none());
        assert!(cache.get(&key(0)).is_some());
        assert_eq!(cache.usage(), (3, 300));
        // A big tile evicts as many as it needs.
        cache.put(key(4), Arc::new(vec![0; 250]));
        assert_eq!(cache.usage().0, 1);
        assert!(cache.usage().1 <= 300);
        // Larger than the budget: not kept, nothing evicted for it.
        cache.put(key(5), Arc::new(vec![0; 301]));
        assert!(cache.get(&key(5)).is_none());
        assert!(cache.get(&key(4)).is_some());
        // The same key again replaces, counting its bytes once.
        cache.put(key(4), Arc::new(vec![0; 50]));
        assert_eq!(cache.usage(), (1, 50));
        // Another revision of the same tile is another key.
        let newer: TileKey = ("lamps", 2, String::new(), 14, 4, 0);
        assert!(cache.get(&newer).is_none());
    }
}
