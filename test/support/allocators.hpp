// SPDX-License-Identifier: BSL-1.0
#ifndef BYTESIO_TEST_SUPPORT_ALLOCATORS_HPP
#define BYTESIO_TEST_SUPPORT_ALLOCATORS_HPP

// Allocators that watch or sabotage a Storage: a counting one (proves a path
// copies or allocates nothing) and a failing one (fault injection).

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace bytesio::test {

/** What every counting_allocator<T> has done since `reset()`. */
struct alloc_counts {
  static inline std::size_t allocations = 0;
  static inline std::size_t constructions = 0;
  static void reset() noexcept { allocations = constructions = 0; }
};

/**
 * Counts every allocation and every element construction (a copy of the
 * elements through the allocator constructs them).
 */
template <class T>
struct counting_allocator {
  using value_type = T;
  counting_allocator() = default;
  template <class U>
  counting_allocator(const counting_allocator<U> &) noexcept {}

  T *allocate(std::size_t n) {
    ++alloc_counts::allocations;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T *p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }

  template <class U, class... Args>
  void construct(U *p, Args &&...args) {
    ++alloc_counts::constructions;
    ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
  }

  friend bool operator==(const counting_allocator &, const counting_allocator &) noexcept {
    return true;
  }
};

/**
 * Shared by every failing_allocator<T>: the countdown to the failing
 * allocation (-1: never) and a count of allocations made.
 */
struct fault_plan {
  static inline long countdown = -1;
  static inline long allocations = 0;
};

/** Throws `std::bad_alloc` at the allocation `fault_plan` counts down to. */
template <class T>
struct failing_allocator {
  using value_type = T;
  failing_allocator() = default;
  template <class U>
  failing_allocator(const failing_allocator<U> &) noexcept {}

  T *allocate(std::size_t n) {
    ++fault_plan::allocations;
    if (fault_plan::countdown >= 0 && fault_plan::countdown-- == 0)
      throw std::bad_alloc();
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T *p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }

  friend bool operator==(const failing_allocator &, const failing_allocator &) noexcept {
    return true;
  }
};

/** Arms the plan for one operation and disarms it on every exit path. */
struct armed {
  explicit armed(long n) noexcept {
    fault_plan::countdown = n;
    fault_plan::allocations = 0;
  }
  ~armed() { fault_plan::countdown = -1; }
  armed(const armed &) = delete;
  armed &operator=(const armed &) = delete;
};

} // namespace bytesio::test

#endif // BYTESIO_TEST_SUPPORT_ALLOCATORS_HPP
