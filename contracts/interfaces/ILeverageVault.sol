// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title ILeverageVault
/// @notice ERC-4626 vault of the collateral asset holding one leveraged position (collateral supplied, debt
///         borrowed and swapped into collateral). Units: leverage and health factor wad (1e18 = 1.0), ratios
///         in bps (1e4 = 100%), values wad USD, prices wad USD per whole token unless stated otherwise.
/// @dev `totalAssets` = (supplied + idle collateral + idle debt asset - debt) at oracle prices, in collateral units,
///      rounded down. A deposit levers only its own assets, at the vault's current leverage capped by the target
///      (it never re-levers the holders' drift: the guarded keeper does), and mints shares for the oracle equity
///      it actually added, so the depositor alone pays its swap. An exit unwinds the holder's proportional slice
///      (its idle debt asset repays its debt first) and the holder alone pays that unwind. Both therefore trade
///      at whatever price the pool offers without moving value between holders; the ERC-5143 overloads below
///      bound what the caller itself accepts. Previews are bounds at max slippage and include the rounding of
///      two raw debt units; `max*` return 0 while the oracle is unusable.
interface ILeverageVault is IERC4626 {
    /// @notice Leverage band and health-factor floor.
    struct LeverageConfig {
        uint64 targetLeverage; // wad, leverage a rebalance aims for
        uint64 minLeverage; // wad, below it a keeper re-levers (price went up)
        uint64 maxLeverage; // wad, above it a keeper delevers
        uint64 minHealthFactor; // wad, below it a keeper delevers to target whatever the band says
    }

    /// @notice Trading limits and size limits.
    struct ExecutionConfig {
        uint16 maxSlippageBps; // bps against the oracle price for every swap
        uint24 swapFee; // Uniswap fee tier (hundredths of a bip) of the pool used
        uint128 depositCap; // collateral units, max totalAssets after a deposit
    }

    /// @notice A snapshot of the position at oracle prices.
    struct PositionState {
        uint256 collateral; // collateral units supplied on the market
        uint256 debt; // debt units owed
        uint256 idleCollateral; // collateral units held by the vault
        uint256 idleDebtAsset; // debt-asset units held by the vault
        uint256 grossValue; // wad USD of supplied + idle assets
        uint256 debtValue; // wad USD of the debt
        uint256 equityValue; // wad USD, gross - debt (0 if negative)
        uint256 leverage; // wad, gross / equity
        uint256 healthFactor; // wad, (supplied + idle collateral) * liqThreshold / (debt - idle debt asset)
        uint256 price; // wad, collateral price in debt asset
    }

    /// @notice Fees accrued: `shares` minted to `recipient` (management + performance fee since the last accrual);
    ///         `feeSharePriceMark` is the fee high-water mark after it (wad-scaled assets per share, see `accrueFee`).
    event FeeAccrued(address indexed recipient, uint256 shares, uint256 feeSharePriceMark);

    /// @notice The position changed: debt borrowed (`debtDelta` > 0) or repaid (< 0), in debt units.
    event PositionRebalanced(uint256 leverageBefore, uint256 leverageAfter, int256 debtDelta);

    /// @notice An amount argument is zero.
    error VaultZeroAmount();
    /// @notice An asset amount no vault can hold (above 2^128 - 1 raw units) given to a conversion or preview, whose
    ///         share arithmetic would overflow.
    error VaultAmountOutOfRange(uint256 assets);
    /// @notice An exit's slice of the debt (`needed`, debt units) is more than the venue can flash-lend now
    ///         (`available`): exit a smaller slice (`maxRedeem` is within it).
    error VaultExitLiquidity(uint256 needed, uint256 available);
    /// @notice The operation would mint or burn zero shares.
    error VaultZeroShares();
    /// @notice Deposits are paused.
    error VaultDepositsPaused();
    /// @notice A deposit of `assets` would exceed the vault's deposit cap or the market's supply or borrow cap;
    ///         at most `maxAssets` fit.
    error VaultDepositCapExceeded(uint256 assets, uint256 maxAssets);
    /// @notice The vault is stopped out (unwinding or unwound): deposits are refused until it is re-armed.
    error VaultStoppedOut();
    /// @notice The exit returned `assets`, below the `minAssets` promised by the preview.
    error VaultExitShortfall(uint256 assets, uint256 minAssets);
    /// @notice `mint` added equity worth `equityShares`, fewer than the `shares` requested (its preview was wrong).
    error VaultMintShortfall(uint256 equityShares, uint256 shares);
    /// @notice `caller` lacks the role the function requires.
    error VaultUnauthorized(address caller);
    /// @notice A leverage configuration is unsafe or inconsistent; `maxLtvBps` is the market's limit minus buffer.
    error VaultInvalidLeverageConfig(LeverageConfig config, uint256 maxLtvBps);
    /// @notice An execution configuration is out of bounds.
    error VaultInvalidExecutionConfig(ExecutionConfig config);
    /// @notice A role address is zero.
    error VaultInvalidRole();
    /// @notice After a levering action the health factor `healthFactor` is below the floor `minHealthFactor`.
    error VaultHealthFactorTooLow(uint256 healthFactor, uint256 minHealthFactor);
    /// @notice The position has no equity left at oracle prices.
    error VaultInsolvent();
    /// @notice The market's health factor `healthFactor` (wad) is below 1: it refuses every withdrawal and borrow, so
    ///         deposits and partial exits wait until the keeper or the ripcord (which then liquidate the vault's own
    ///         debt) or a liquidator bring it back above 1. The last holder's full exit still goes through.
    error VaultPositionUnhealthy(uint256 healthFactor);

    /// @notice ERC-5143 `deposit`: fewer than `minShares` shares minted.
    error VaultSharesBelowMin(uint256 shares, uint256 minShares);
    /// @notice ERC-5143 `mint`: more than `maxAssets` assets needed.
    error VaultAssetsAboveMax(uint256 assets, uint256 maxAssets);
    /// @notice ERC-5143 `withdraw`: more than `maxShares` shares burned.
    error VaultSharesAboveMax(uint256 shares, uint256 maxShares);
    /// @notice ERC-5143 `redeem`: fewer than `minAssets` assets paid.
    error VaultAssetsBelowMin(uint256 assets, uint256 minAssets);

    /// @notice `deposit` that reverts `VaultSharesBelowMin` when fewer than `minShares` are minted (ERC-5143).
    function deposit(uint256 assets, address receiver, uint256 minShares) external returns (uint256 shares);

    /// @notice `mint` that reverts `VaultAssetsAboveMax` when it would pull more than `maxAssets` (ERC-5143).
    function mint(uint256 shares, address receiver, uint256 maxAssets) external returns (uint256 assets);

    /// @notice `withdraw` that reverts `VaultSharesAboveMax` when it burns more than `maxShares` (ERC-5143).
    function withdraw(uint256 assets, address receiver, address owner, uint256 maxShares)
        external
        returns (uint256 shares);

    /// @notice `redeem` that reverts `VaultAssetsBelowMin` when it pays fewer than `minAssets` (ERC-5143).
    function redeem(uint256 shares, address receiver, address owner, uint256 minAssets)
        external
        returns (uint256 assets);

    /// @notice Debt asset borrowed against the collateral.
    function debtAsset() external view returns (address);

    /// @notice The position at current (checked) oracle prices.
    function position() external view returns (PositionState memory);

    /// @notice Anyone: accrues the management and performance fees up to this block (at most once per block) and
    ///         mints them as shares to the fee recipient (MetaMorpho / Yearn V3). Every deposit, mint, withdraw,
    ///         redeem, keeper action, ripcord, poke and fee change accrues first while a fee is set, and `totalSupply`
    ///         (hence every preview, `max*` and `convertTo*`) already counts the shares accrued up to the block.
    ///         Management fee: `totalAssets * managementFeeBps * elapsed / (1e4 * 365 days)` in assets. Performance
    ///         fee: `performanceFeeBps` of the gain of the share price above `feeSharePriceMark`, the fee high-water
    ///         mark (not the trailing stop's price mark `AutomationState.highWaterMark`): nothing on a loss (FEE-1),
    ///         nothing again across a drawdown and its recovery (FEE-2). The fee in assets is minted as the shares that
    ///         are worth it after minting; the mark then becomes the share price after the fee if higher. Share price
    ///         = (totalAssets + 1) * 1e18 / (totalSupply + 1e6), wad. With a fee set, reverts while the oracle does
    ///         (so does `totalSupply` when something is left to accrue).
    function accrueFee() external;

}
