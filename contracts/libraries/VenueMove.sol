// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

/// @title VenueMove
/// @notice The destination venue mover while a refinance runs. Its flash-loan callback reaches the vault, whose
///         current code (the source venue's) does not serve it: the settings module forwards it to this mover.
library VenueMove {
    using TransientSlot for *;

    /// @dev ERC-7201 formula on "levered-vaults.transient.venueMover".
    bytes32 private constant MOVER_SLOT = 0x0f8e910f374e34bcf7989b88b308703e4da51a1e8e7695952b38597a28804c00;

    function mover() internal view returns (address) {
        return MOVER_SLOT.asAddress().tload();
    }

    function setMover(address value) internal {
        MOVER_SLOT.asAddress().tstore(value);
    }
}
