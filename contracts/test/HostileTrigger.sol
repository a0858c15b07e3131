// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title HostileTrigger
/// @notice Test double listed in a registry as if it were a vault, whose `trigger()` misbehaves: burns all the gas it
///         is given, or answers with values that are not a valid `(bool, Action, bytes)`. Never shipped.
contract HostileTrigger {
    enum Behaviour {
        BurnGas,
        Malformed
    }

    Behaviour public immutable BEHAVIOUR;

    constructor(Behaviour behaviour) {
        BEHAVIOUR = behaviour;
    }

    /// @dev Answers every selector, `trigger()` included.
    // A hostile test double, never shipped.
    // solhint-disable-next-line no-complex-fallback, payable-fallback
    fallback() external {
        if (BEHAVIOUR == Behaviour.BurnGas) {
            // Loops until the call's gas is gone.
            while (gasleft() > 0) {}
        }
        assembly {
            // needed = 2 (not a bool), action = 9 (no such Action), then an empty bytes.
            mstore(0x00, 2)
            mstore(0x20, 9)
            mstore(0x40, 0x60)
            mstore(0x60, 0)
            return(0x00, 0x80)
        }
    }
}
