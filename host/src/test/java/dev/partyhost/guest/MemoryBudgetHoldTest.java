package dev.partyhost.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Memory held for later (hibernated rooms' snapshots) comes from the guest memory budget but never
 * takes its last quarter, which rooms that start need; instances still may.
 */
class MemoryBudgetHoldTest {
  @Test
  void heldBytesStopAtThreeQuartersAndComeBack() {
    MemoryBudget budget = new MemoryBudget(1000);
    assertTrue(budget.tryHold(700));
    assertFalse(budget.tryHold(51), "past 750: the last quarter is for starting rooms");
    assertEquals(700, budget.reserved(), "a refused hold reserves nothing");
    assertTrue(budget.tryHold(50));
    assertTrue(budget.tryReserve(250), "an instance may still take the last quarter");
    budget.unhold(750);
    budget.release(250);
    assertEquals(0, budget.reserved());
    assertTrue(budget.tryHold(750));
  }
}
