//! The SDK's global allocator on wasm32 (feature `allocator`, on by default): a first-fit free list
//! kept in address order, with freed neighbours merged at once, over the memory the module starts
//! with (from `__heap_base`); `memory.grow` only when no free block fits. The same design as the C
//! SDK's allocator.
//!
//! Why not std's allocator: on `wasm32-unknown-unknown` it is dlmalloc, which takes fresh pages from
//! `memory.grow` at its first allocation and never uses the rest of the pages the module starts
//! with. Every Rust room then grew from 1 page to 2 or 3 at its first message; with this one a relay
//! room stays at 1 page (64 KiB) as long as its messages fit the free part of that page.

// Off wasm32 only the tests use it.
#![cfg_attr(not(all(target_arch = "wasm32", feature = "allocator")), allow(dead_code))]

use std::ptr::null_mut;

/// Block size unit and alignment: one header is one unit.
const UNIT: usize = 16;
const PAGE: usize = 65536;

/// A block: this header, then its payload. `size` counts units, header included. Free blocks are
/// chained through `next` in address order; an allocated block has `next == USED`, which catches
/// double frees and foreign pointers.
#[repr(C, align(16))]
struct Block {
    size: usize,
    next: *mut Block,
}

const USED: *mut Block = 1 as *mut Block;
const _: () = assert!(std::mem::size_of::<Block>() == UNIT);

/// Where the heap lives: linear memory on wasm32, an arena in the unit tests.
pub(crate) trait Memory {
    /// The first byte the allocator may use.
    fn heap_start(&self) -> usize;
    /// The end of memory today, in pages from `base`.
    fn pages(&self) -> usize;
    /// `memory.grow`: the previous size in pages, or `usize::MAX` if memory cannot grow.
    fn grow(&mut self, pages: usize) -> usize;
    /// The address of page 0.
    fn base(&self) -> usize;
}

pub(crate) struct FreeList<M> {
    head: *mut Block,
    /// The end of the memory the list manages; 0 until the first allocation.
    end: usize,
    mem: M,
}

impl<M> FreeList<M> {
    pub(crate) const fn new(mem: M) -> Self {
        FreeList { head: null_mut(), end: 0, mem }
    }
}

impl<M: Memory> FreeList<M> {
    /// `size` bytes aligned to `align` (a power of two), or null.
    ///
    /// SAFETY: one caller at a time; the memory from `heap_start` on belongs to this list.
    pub(crate) unsafe fn alloc(&mut self, size: usize, align: usize) -> *mut u8 {
        if size > isize::MAX as usize / 2 {
            return null_mut();
        }
        let units = (size + UNIT - 1) / UNIT + 1;
        // Over-aligned payloads may start a few units into a block.
        let slack = if align > UNIT { align / UNIT } else { 0 };
        if self.end == 0 {
            self.end = self.mem.base() + self.mem.pages() * PAGE;
            self.add_region(self.mem.heap_start(), self.end);
        }
        loop {
            let mut link: *mut *mut Block = &mut self.head;
            let mut last = null_mut();
            let mut b = self.head;
            while !b.is_null() {
                last = b;
                let lead = (align - (b.add(1) as usize) % align) % align / UNIT;
                if (*b).size >= lead + units {
                    if lead > 0 {
                        // The first `lead` units stay a free block, in place.
                        let rest = b.add(lead);
                        (*rest).size = (*b).size - lead;
                        (*rest).next = (*b).next;
                        (*b).size = lead;
                        (*b).next = rest;
                        link = &mut (*b).next;
                        b = rest;
                    }
                    if (*b).size - units >= 2 {
                        // Split: the tail stays free, in place.
                        let rest = b.add(units);
                        (*rest).size = (*b).size - units;
                        (*rest).next = (*b).next;
                        *link = rest;
                        (*b).size = units;
                    } else {
                        *link = (*b).next;
                    }
                    (*b).next = USED;
                    return b.add(1) as *mut u8;
                }
                link = &mut (*b).next;
                b = (*b).next;
            }
            if !self.more(units + slack, last) {
                return null_mut();
            }
        }
    }

    /// Returns a block to the list, merged with free neighbours. Aborts (a trap) on a pointer that
    /// is not an allocated block's.
    ///
    /// SAFETY: as for [`alloc`](Self::alloc); `p` came from it.
    pub(crate) unsafe fn free(&mut self, p: *mut u8) {
        let b = (p as *mut Block).sub(1);
        if (*b).next != USED {
            std::process::abort(); // double free or foreign pointer
        }
        let mut prev: *mut Block = null_mut();
        let mut cur = self.head;
        while !cur.is_null() && cur < b {
            prev = cur;
            cur = (*cur).next;
        }
        if !cur.is_null() && b.add((*b).size) == cur {
            (*b).size += (*cur).size;
            (*b).next = (*cur).next;
        } else {
            (*b).next = cur;
        }
        if prev.is_null() {
            self.head = b;
        } else if prev.add((*prev).size) == b {
            (*prev).size += (*b).size;
            (*prev).next = (*b).next;
        } else {
            (*prev).next = b;
        }
    }

    /// Resizes in place when the block already has the room, or can take it from the free block
    /// right after it (what a growing `String` or `Vec` at the end of the heap does); else moves.
    ///
    /// SAFETY: as for [`free`](Self::free).
    pub(crate) unsafe fn realloc(&mut self, p: *mut u8, align: usize, new_size: usize) -> *mut u8 {
        if new_size > isize::MAX as usize / 2 {
            return null_mut();
        }
        let b = (p as *mut Block).sub(1);
        let units = (new_size + UNIT - 1) / UNIT + 1;
        if units > (*b).size {
            let mut link: *mut *mut Block = &mut self.head;
            while !(*link).is_null() && *link < b {
                link = &mut (**link).next;
            }
            let f = *link;
            if f.is_null() || b.add((*b).size) != f || (*b).size + (*f).size < units {
                let q = self.alloc(new_size, align);
                if !q.is_null() {
                    std::ptr::copy_nonoverlapping(p, q, ((*b).size - 1) * UNIT);
                    self.free(p);
                }
                return q;
            }
            // Take the free neighbour, then give back what is over.
            *link = (*f).next;
            (*b).size += (*f).size;
        }
        if (*b).size - units >= 2 {
            let rest = b.add(units);
            (*rest).size = (*b).size - units;
            (*rest).next = USED;
            (*b).size = units;
            self.free(rest.add(1) as *mut u8);
        }
        p
    }

    /// Hands the memory `[start, end)` to the list.
    unsafe fn add_region(&mut self, start: usize, end: usize) {
        let start = (start + UNIT - 1) & !(UNIT - 1);
        if end <= start || (end - start) / UNIT < 2 {
            return;
        }
        let b = start as *mut Block;
        (*b).size = (end - start) / UNIT;
        (*b).next = USED;
        self.free(b.add(1) as *mut u8);
    }

    /// Grows memory so that a block of `units` fits after `last`, the highest free block.
    unsafe fn more(&mut self, units: usize, last: *mut Block) -> bool {
        let mut need = units * UNIT;
        if !last.is_null() && last.add((*last).size) as usize == self.end {
            need -= ((*last).size * UNIT).min(need);
        }
        let pages = (need + PAGE - 1) / PAGE;
        let old = self.mem.grow(pages.max(1));
        if old == usize::MAX {
            return false;
        }
        let start = (self.mem.base() + old * PAGE).max(self.end); // never reuse our own bytes
        self.end = self.mem.base() + (old + pages.max(1)) * PAGE;
        self.add_region(start, self.end);
        true
    }
}

#[cfg(all(target_arch = "wasm32", feature = "allocator"))]
mod wasm {
    use super::{FreeList, Memory};
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;

    struct Linear;

    extern "C" {
        /// Defined by the linker: the end of the stack and static data.
        static __heap_base: u8;
    }

    impl Memory for Linear {
        fn heap_start(&self) -> usize {
            unsafe { &__heap_base as *const u8 as usize }
        }
        fn pages(&self) -> usize {
            core::arch::wasm32::memory_size(0)
        }
        fn grow(&mut self, pages: usize) -> usize {
            core::arch::wasm32::memory_grow(0, pages)
        }
        fn base(&self) -> usize {
            0
        }
    }

    struct Heap(UnsafeCell<FreeList<Linear>>);

    // SAFETY: a wasm32-unknown-unknown instance runs one thread.
    unsafe impl Sync for Heap {}

    #[global_allocator]
    static HEAP: Heap = Heap(UnsafeCell::new(FreeList::new(Linear)));

    unsafe impl GlobalAlloc for Heap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            (*self.0.get()).alloc(layout.size(), layout.align())
        }
        unsafe fn dealloc(&self, p: *mut u8, _layout: Layout) {
            (*self.0.get()).free(p)
        }
        unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            (*self.0.get()).realloc(p, layout.align(), new_size)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 64 pages of 16-byte-aligned memory, the heap starting at an odd offset into page 0.
    struct Arena {
        mem: Vec<Chunk>,
        pages: usize,
    }

    #[derive(Clone, Copy)]
    #[repr(align(16))]
    struct Chunk([u8; 16]);

    impl Memory for Arena {
        fn heap_start(&self) -> usize {
            self.base() + 1000
        }
        fn pages(&self) -> usize {
            self.pages
        }
        fn grow(&mut self, n: usize) -> usize {
            if self.pages + n > self.mem.len() * 16 / PAGE {
                return usize::MAX;
            }
            self.pages += n;
            self.pages - n
        }
        fn base(&self) -> usize {
            self.mem.as_ptr() as usize
        }
    }

    fn heap() -> FreeList<Arena> {
        FreeList::new(Arena { mem: vec![Chunk([0; 16]); 64 * PAGE / 16], pages: 1 })
    }

    fn free_bytes(h: &FreeList<Arena>) -> (usize, usize) {
        let (mut bytes, mut blocks, mut b) = (0, 0, h.head);
        while !b.is_null() {
            unsafe {
                bytes += (*b).size * UNIT;
                b = (*b).next;
            }
            blocks += 1;
        }
        (bytes, blocks)
    }

    #[test]
    fn uses_the_first_page_before_growing() {
        let mut h = heap();
        unsafe {
            let p = h.alloc(100, 1);
            assert_eq!(h.mem.pages, 1);
            assert!(p as usize >= h.mem.base() + 1000 && p as usize % 16 == 0);
            h.free(p);
            // Everything after the heap start, rounded to units, is one free block again.
            assert_eq!(free_bytes(&h), ((PAGE - 1008), 1));
            let big = h.alloc(100_000, 8);
            assert_eq!(h.mem.pages, 2, "the free tail of page 0 counts towards the block");
            h.free(big);
            assert_eq!(free_bytes(&h).1, 1);
        }
    }

    #[test]
    fn stress_against_a_model() {
        let mut h = heap();
        let mut live: Vec<(*mut u8, usize, u8)> = Vec::new();
        let mut seed = 12345u32;
        let mut rand = move |n: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 8) % n
        };
        unsafe {
            for i in 0..20_000u32 {
                if live.is_empty() || (live.len() < 300 && rand(2) == 0) {
                    let max = if rand(10) == 0 { 20_000 } else { 300 };
                    let size = 1 + rand(max) as usize;
                    let align = 1usize << rand(8); // 1 to 128
                    let p = h.alloc(size, align);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0);
                    std::ptr::write_bytes(p, i as u8, size);
                    live.push((p, size, i as u8));
                } else {
                    let k = rand(live.len() as u32) as usize;
                    let (p, size, tag) = live.swap_remove(k);
                    // Nobody else wrote into this block.
                    assert!(std::slice::from_raw_parts(p, size).iter().all(|&x| x == tag));
                    if rand(2) == 0 {
                        let new_size = 1 + rand(2000) as usize;
                        let q = h.realloc(p, 1, new_size);
                        assert!(std::slice::from_raw_parts(q, size.min(new_size)).iter().all(|&x| x == tag));
                        std::ptr::write_bytes(q, tag, new_size);
                        live.push((q, new_size, tag));
                    } else {
                        h.free(p);
                    }
                }
            }
            for (p, _, _) in live.drain(..) {
                h.free(p);
            }
        }
        // All merged back into one block, and memory grew only as far as the peak needed.
        let (bytes, blocks) = free_bytes(&h);
        assert_eq!(blocks, 1);
        assert_eq!(bytes, h.mem.pages * PAGE - 1008);
        assert!(h.mem.pages < 64);
    }

    #[test]
    fn realloc_grows_into_the_free_neighbour_and_shrinks_in_place() {
        let mut h = heap();
        unsafe {
            let p = h.alloc(32, 1);
            std::ptr::write_bytes(p, 7, 32);
            let q = h.realloc(p, 1, 4000);
            assert_eq!(p, q, "the rest of the page is free right after the block");
            assert_eq!(*q.add(31), 7);
            let r = h.realloc(q, 1, 10);
            assert_eq!(r, q);
            let s = h.alloc(10, 1);
            assert_eq!(s as usize, r as usize + 32, "the shrunk tail is free again");
            h.free(s);
            h.free(r);
            assert_eq!(free_bytes(&h).1, 1);
        }
    }

    #[test]
    fn says_no_when_memory_cannot_grow() {
        let mut h = heap();
        unsafe {
            assert!(h.alloc(64 * PAGE, 1).is_null());
            assert!(h.alloc(usize::MAX - 8, 1).is_null());
            let p = h.alloc(1, 1);
            assert!(!p.is_null());
            h.free(p);
        }
    }
}
