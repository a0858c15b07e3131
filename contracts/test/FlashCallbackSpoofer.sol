// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev Both Aave V3 flash-loan callbacks as a vault exposes them.
interface IFlashCallbacks {
    function executeOperation(
        address[] calldata assets,
        uint256[] calldata amounts,
        uint256[] calldata premiums,
        address initiator,
        bytes calldata params
    ) external returns (bool);

    function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes calldata params)
        external
        returns (bool);
}

/// @dev The two Aave V3 pool entry points that call a receiver back.
interface IFlashPool {
    function flashLoanSimple(address receiver, address asset, uint256 amount, bytes calldata params, uint16 referral)
        external;

    function flashLoan(
        address receiver,
        address[] calldata assets,
        uint256[] calldata amounts,
        uint256[] calldata modes,
        address onBehalfOf,
        bytes calldata params,
        uint16 referral
    ) external;
}

/// @title FlashCallbackSpoofer
/// @notice Test double, hostile: calls a vault's flash-loan callbacks directly, or makes the real pool call them
///         with this contract as the initiator. Every call is expected to revert; reverts bubble up unchanged.
///         Never shipped.
contract FlashCallbackSpoofer {
    /// @notice Calls the `flashLoanSimple` callback of `target` directly, claiming `initiator`.
    function callSimple(address target, address asset, uint256 amount, uint256 premium, address initiator, bytes calldata params)
        external
        returns (bool)
    {
        return IFlashCallbacks(target).executeOperation(asset, amount, premium, initiator, params);
    }

    /// @notice Calls the `flashLoan` (multi-asset) callback of `target` directly, claiming `initiator`.
    function callMulti(address target, address asset, uint256 amount, uint256 premium, address initiator, bytes calldata params)
        external
        returns (bool)
    {
        return IFlashCallbacks(target).executeOperation(_one(asset), _one(amount), _one(premium), initiator, params);
    }

    /// @notice Starts a real `flashLoanSimple` on `pool` whose receiver is `receiver` (the vault).
    function flashLoanSimpleTo(address pool, address receiver, address asset, uint256 amount, bytes calldata params) external {
        IFlashPool(pool).flashLoanSimple(receiver, asset, amount, params, 0);
    }

    /// @notice Starts a real `flashLoan` on `pool` whose receiver is `receiver`; `mode` 0 = repay in the call,
    ///         2 = open variable debt on `onBehalfOf`.
    function flashLoanTo(
        address pool,
        address receiver,
        address asset,
        uint256 amount,
        uint256 mode,
        address onBehalfOf,
        bytes calldata params
    ) external {
        IFlashPool(pool).flashLoan(receiver, _one(asset), _one(amount), _one(mode), onBehalfOf, params, 0);
    }

    function _one(address a) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _one(uint256 x) private pure returns (uint256[] memory list) {
        list = new uint256[](1);
        list[0] = x;
    }
}
