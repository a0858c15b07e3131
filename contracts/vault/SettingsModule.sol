// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {IVaultFees} from "../interfaces/IVaultFees.sol";
import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";
import {IVaultSettings} from "../interfaces/IVaultSettings.sol";
import {IVaultRefinance} from "../interfaces/IVaultRefinance.sol";
import {IVaultOutageSettings} from "../interfaces/IVaultEmergency.sol";
import {IVenueMover} from "../interfaces/IVenueMover.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {VaultStorage} from "./VaultStorage.sol";
import {DelegatedOnly} from "../base/DelegatedOnly.sol";
import {Delegation} from "../libraries/Delegation.sol";
import {VenueMove} from "../libraries/VenueMove.sol";
import {OutageSettings} from "../risk/OutageSettings.sol";

/// @dev The getters a refinance follows from a vault implementation to its venue mover.
interface IVenueStack {
    function MODULE() external view returns (address); // the vault's automation module
    function MANAGEMENT_MODULE() external view returns (address);
    function SETTINGS_MODULE() external view returns (address);
    function VENUE_MOVER() external view returns (address);
}

/// @title SettingsModule
/// @notice Fee and keeper-pay settings (IVaultFees) and the read side of every setting (IVaultSettings), run only
///         through the vault's delegatecall, reached through the management module's fallback. Market-agnostic: it reads and writes the vault's storage namespace only and
///         asks the vault itself to accrue (`ILeverageVault.accrueFee`). Raising a fee or the keeper pay goes through
///         the vault's timelock (the same pending-change slots as the management module's changes); lowering
///         applies at once. The oracle-outage path's settings (IVaultOutageSettings) wait in both directions.
///         It also runs refinancing (IVaultRefinance): a move to another venue is a timelocked `ChangeKind.Venue`.
contract SettingsModule is IVaultFees, IVaultSettings, IVaultOutageSettings, IVaultRefinance, VaultStorage, DelegatedOnly {
    /// @notice Hard caps: 2 %/yr of assets, 20 % of the share-price gain above the fee mark.
    uint256 public constant MAX_MANAGEMENT_FEE_BPS = 200;
    uint256 public constant MAX_PERFORMANCE_FEE_BPS = 2000;
    /// @notice Keeper pay multiplier cap: 1.2x the gas cost.
    uint256 public constant MAX_KEEPER_PAY_MULTIPLIER_BPS = 12_000;
    /// @notice Defaults of a zero OutageConfig field, and the bounds a configured one must respect.
    uint32 public constant DEFAULT_OUTAGE_GRACE = OutageSettings.DEFAULT_GRACE;
    uint32 public constant DEFAULT_TWAP_WINDOW = OutageSettings.DEFAULT_TWAP_WINDOW;
    uint16 public constant DEFAULT_TWAP_DEVIATION_BPS = OutageSettings.DEFAULT_TWAP_DEVIATION_BPS;
    uint16 public constant DEFAULT_OUTAGE_ACTION_BPS = OutageSettings.DEFAULT_ACTION_BPS;
    uint16 public constant DEFAULT_OUTAGE_HOURLY_BPS = OutageSettings.DEFAULT_HOURLY_BPS;
    uint32 public constant MIN_TWAP_WINDOW = OutageSettings.MIN_TWAP_WINDOW;
    uint32 public constant MAX_TWAP_WINDOW = OutageSettings.MAX_TWAP_WINDOW;
    uint32 public constant MIN_OUTAGE_GRACE = OutageSettings.MIN_GRACE;
    uint32 public constant MAX_OUTAGE_GRACE = OutageSettings.MAX_GRACE;

    /// @dev Token units a move's collateral may come short of, and its debt over, what was moved: the venues'
    ///      share and index rounding of one supply and one borrow.
    uint256 private constant MOVE_ROUNDING = 2;

    /// @notice This venue's mover (IVenueMover): a proxied vault's refinance steps, and every vault's limits.
    address public immutable VENUE_MOVER;

    /// @param mover the venue's mover: it also serves every vault's ERC-4626 limits, so it is required.
    constructor(address mover) {
        if (mover == address(0)) revert VaultNotRefinanceable();
        VENUE_MOVER = mover;
    }

    /// @dev Selectors no module before served: during a move, the destination mover's (its venue's flash-loan
    ///      callback, which the vault's current code does not serve), else this venue's mover (`initializeProxy`,
    ///      the vault's limits). Not payable.
    // solhint-disable-next-line payable-fallback
    fallback() external onlyDelegated {
        Delegation.forward(_fallbackTarget());
    }

    function _fallbackTarget() private view returns (address target) {
        target = VenueMove.mover();
        if (target == address(0)) target = VENUE_MOVER;
    }

    modifier onlyOwner() {
        if (msg.sender != _vault().owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _;
    }

    modifier onlyManager() {
        VaultLayout storage v = _vault();
        if (msg.sender != v.manager && msg.sender != v.owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _;
    }

    /// @inheritdoc IVaultFees
    function setFees(uint16 managementFeeBps, uint16 performanceFeeBps) external onlyDelegated onlyOwner {
        FeeConfig memory current = _vault().fees;
        _change(
            IVaultManagement.ChangeKind.Fees,
            abi.encode(managementFeeBps, performanceFeeBps),
            managementFeeBps <= current.managementFeeBps && performanceFeeBps <= current.performanceFeeBps
        );
    }

    /// @inheritdoc IVaultFees
    function setFeeRecipient(address recipient) external onlyDelegated onlyOwner {
        VaultLayout storage v = _vault();
        if (recipient == address(0) && v.fees.managementFeeBps | v.fees.performanceFeeBps != 0) {
            revert VaultZeroFeeRecipient();
        }
        // What accrued so far is the previous recipient's.
        ILeverageVault(address(this)).accrueFee();
        v.fees.recipient = recipient;
        emit FeeRecipientSet(recipient);
    }

    /// @inheritdoc IVaultFees
    function setKeeperPayConfig(IVaultAutomation.KeeperPayConfig calldata config) external onlyDelegated {
        VaultLayout storage v = _vault();
        if (msg.sender != v.manager && msg.sender != v.owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        IVaultAutomation.KeeperPayConfig memory c = v.keeperPay;
        _change(
            IVaultManagement.ChangeKind.KeeperPay,
            abi.encode(config),
            config.multiplierBps <= c.multiplierBps && config.maxGasPrice <= c.maxGasPrice
                && config.maxPerAction <= c.maxPerAction && config.maxPerDay <= c.maxPerDay
                && config.gasTokenIsDebt == c.gasTokenIsDebt
        );
    }

    /// @inheritdoc IVaultFees
    function setGasTokenFeed(address feed) external onlyDelegated {
        VaultLayout storage v = _vault();
        if (msg.sender != v.manager && msg.sender != v.owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        if (v.keeperPay.multiplierBps != 0 || v.pending[IVaultManagement.ChangeKind.KeeperPay].validAt != 0) {
            revert KeeperGasTokenFeedLocked();
        }
        if (feed != address(0) && !_answersPrice(feed)) revert KeeperInvalidGasTokenFeed(feed);
        v.gasTokenFeed = feed;
        emit GasTokenFeedSet(feed);
    }

    /// @inheritdoc IVaultFees
    function applyFeeChange(IVaultManagement.ChangeKind kind, bytes calldata data, bool store) external onlyDelegated {
        if (msg.sender != address(this)) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _apply(kind, data, store);
    }

    /// @inheritdoc IVaultOutageSettings
    function setOutageConfig(OutageConfig calldata config) external onlyDelegated onlyManager {
        // Both directions wait: a shorter window or a wider bound opens the path to cheaper manipulation, a longer
        // grace or smaller caps slow the backstop (ROLE-2 (b)).
        _change(IVaultManagement.ChangeKind.Outage, abi.encode(config), false);
    }

    /// @inheritdoc IVaultOutageSettings
    function outageConfig() external view returns (OutageConfig memory) {
        return OutageSettings.withDefaults(_vault().outage);
    }

    /// @inheritdoc IVaultOutageSettings
    function outageState() external view returns (OutageState memory) {
        return _vault().outageState;
    }

    // ---------------------------------------------------------------- refinance (IVaultRefinance)

    /// @inheritdoc IVaultRefinance
    function proposeVenue(address implementation) external onlyDelegated onlyOwner {
        _change(IVaultManagement.ChangeKind.Venue, abi.encode(implementation), false);
    }

    /// @inheritdoc IVaultRefinance
    function venueImplementation() external view returns (address) {
        return ERC1967Utils.getImplementation();
    }

    /// @inheritdoc IVaultRefinance
    function venueMover() external view returns (address) {
        return VENUE_MOVER;
    }

    /// @dev The mover of `implementation`, checked to be this vault's code (same assets) on another venue.
    function _destinationMover(address implementation) private view returns (address mover) {
        address current = ERC1967Utils.getImplementation();
        if (current == address(0)) revert VaultNotRefinanceable();
        if (implementation == current || implementation.code.length == 0) revert VaultInvalidVenue(implementation);
        ILeverageVault self = ILeverageVault(address(this));
        if (
            _read(implementation, ILeverageVault.debtAsset.selector) != self.debtAsset()
                || _read(implementation, bytes4(keccak256("asset()"))) != self.asset()
        ) revert VaultInvalidVenue(implementation);
        address module = _read(implementation, IVenueStack.MODULE.selector);
        address management = _read(module, IVenueStack.MANAGEMENT_MODULE.selector);
        mover = _read(_read(management, IVenueStack.SETTINGS_MODULE.selector), IVenueStack.VENUE_MOVER.selector);
        if (mover == address(0) || mover == VENUE_MOVER) revert VaultInvalidVenue(implementation);
    }

    /// @dev The address a getter of `target` returns; reverts `VaultInvalidVenue` when it has none.
    function _read(address target, bytes4 selector) private view returns (address value) {
        (bool ok, bytes memory data) = target.staticcall(abi.encodeWithSelector(selector));
        if (!ok || data.length != 32 || target.code.length == 0) revert VaultInvalidVenue(target);
        value = abi.decode(data, (address));
    }

    /// @dev Moves the whole position to `implementation`'s venue (see IVaultRefinance) and checks it there.
    function _moveVenue(address implementation, address mover) private {
        address source = ERC1967Utils.getImplementation();
        ILeverageVault self = ILeverageVault(address(this));
        ILeverageVault.PositionState memory before = self.position();
        VenueMove.setMover(mover);
        Address.functionDelegateCall(mover, abi.encodeCall(IVenueMover.moveIn, (VENUE_MOVER, before.collateral, before.debt)));
        VenueMove.setMover(address(0));
        ERC1967Utils.upgradeToAndCall(implementation, "");
        // Read through the destination's code: its balances, its liquidation threshold.
        ILeverageVault.PositionState memory afterState = self.position();
        if (afterState.collateral + MOVE_ROUNDING < before.collateral || afterState.debt > before.debt + MOVE_ROUNDING) {
            revert VaultRefinanceLoss(before.equityValue, afterState.equityValue);
        }
        uint256 floor = _vault().leverage.minHealthFactor;
        // As a deposit: refused only when it makes things worse, so a move may rescue a position under the floor.
        if (afterState.healthFactor < floor && afterState.healthFactor < before.healthFactor) {
            revert VaultRefinanceUnhealthy(afterState.healthFactor, floor);
        }
        emit VenueMoved(source, implementation, before.collateral, before.debt);
    }

    // ---------------------------------------------------------------- roles' switches (IVaultSettings)

    /// @inheritdoc IVaultSettings
    function transferOwnership(address newOwner) external onlyDelegated onlyOwner {
        _vault().pendingOwner = newOwner;
        emit IVaultManagement.OwnershipTransferStarted(msg.sender, newOwner);
    }

    /// @inheritdoc IVaultSettings
    function acceptOwnership() external onlyDelegated {
        VaultLayout storage v = _vault();
        if (msg.sender != v.pendingOwner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        emit IVaultManagement.OwnershipTransferred(v.owner, msg.sender);
        v.owner = msg.sender;
        v.pendingOwner = address(0);
    }

    /// @inheritdoc IVaultSettings
    function setDepositsPaused(bool paused) external onlyDelegated {
        VaultLayout storage v = _vault();
        bool isManager = msg.sender == v.manager || msg.sender == v.owner;
        if (!isManager && !(paused && msg.sender == v.guardian)) revert ILeverageVault.VaultUnauthorized(msg.sender);
        v.depositsPaused = paused;
        emit IVaultManagement.DepositsPausedSet(msg.sender, paused);
    }

    /// @inheritdoc IVaultSettings
    function setKeeper(address keeper, bool allowed) external onlyDelegated onlyManager {
        _vault().keepers[keeper] = allowed;
        emit IVaultManagement.KeeperSet(keeper, allowed);
    }

    // ---------------------------------------------------------------- views (IVaultSettings)

    /// @inheritdoc IVaultSettings
    function owner() external view returns (address) {
        return _vault().owner;
    }

    /// @inheritdoc IVaultSettings
    function pendingOwner() external view returns (address) {
        return _vault().pendingOwner;
    }

    /// @inheritdoc IVaultSettings
    function manager() external view returns (address) {
        return _vault().manager;
    }

    /// @inheritdoc IVaultSettings
    function guardian() external view returns (address) {
        return _vault().guardian;
    }

    /// @inheritdoc IVaultSettings
    function depositsPaused() external view returns (bool) {
        return _vault().depositsPaused;
    }

    /// @inheritdoc IVaultSettings
    function isKeeper(address account) external view returns (bool) {
        return _vault().keepers[account];
    }

    /// @inheritdoc IVaultSettings
    function leverageConfig() external view returns (ILeverageVault.LeverageConfig memory) {
        return _vault().leverage;
    }

    /// @inheritdoc IVaultSettings
    function executionConfig() external view returns (ILeverageVault.ExecutionConfig memory) {
        return _vault().execution;
    }

    /// @inheritdoc IVaultSettings
    function automationConfig() external view returns (IVaultAutomation.AutomationConfig memory) {
        return _vault().automation;
    }

    /// @inheritdoc IVaultSettings
    function exitConfig() external view returns (IVaultAutomation.ExitConfig memory) {
        return _vault().exits;
    }

    /// @inheritdoc IVaultSettings
    function automationState() external view returns (IVaultAutomation.AutomationState memory) {
        return _vault().state;
    }

    /// @inheritdoc IVaultSettings
    function volatilityConfig() external view returns (IVaultAutomation.VolatilityConfig memory) {
        return _vault().volatility;
    }

    /// @inheritdoc IVaultSettings
    function timelock() external view returns (uint256) {
        return _vault().timelock;
    }

    /// @inheritdoc IVaultSettings
    function pendingChange(IVaultManagement.ChangeKind kind) external view returns (bytes memory data, uint64 validAt) {
        PendingChange storage pending = _vault().pending[kind];
        return (pending.data, pending.validAt);
    }

    // ---------------------------------------------------------------- views (IVaultFees)

    /// @inheritdoc IVaultFees
    function feeConfig() external view returns (FeeConfig memory) {
        return _vault().fees;
    }

    /// @inheritdoc IVaultFees
    function feeState() external view returns (FeeState memory) {
        return _vault().feeState;
    }

    /// @inheritdoc IVaultFees
    function keeperPayConfig() external view returns (IVaultAutomation.KeeperPayConfig memory) {
        return _vault().keeperPay;
    }

    /// @inheritdoc IVaultFees
    function keeperPayState() external view returns (IVaultAutomation.KeeperPayState memory) {
        return _vault().keeperPayState;
    }

    /// @inheritdoc IVaultFees
    function gasTokenFeed() external view returns (address) {
        return _vault().gasTokenFeed;
    }

    /// @dev True when `feed` is a contract answering a positive price with at most 18 decimals.
    function _answersPrice(address feed) private view returns (bool) {
        if (feed.code.length == 0) return false;
        try IAggregatorV3(feed).decimals() returns (uint8 decimals) {
            if (decimals > 18) return false;
        } catch {
            return false;
        }
        try IAggregatorV3(feed).latestRoundData() returns (uint80, int256 answer, uint256, uint256, uint80) {
            return answer > 0;
        } catch {
            return false;
        }
    }

    /// @dev As the management module's `_change`: applies at once (dropping what was pending of `kind`) or submits.
    function _change(IVaultManagement.ChangeKind kind, bytes memory data, bool atOnce) private {
        _apply(kind, data, atOnce);
        VaultLayout storage v = _vault();
        if (atOnce) {
            if (v.pending[kind].validAt != 0) {
                delete v.pending[kind];
                emit IVaultManagement.ChangeRevoked(kind, msg.sender);
            }
        } else {
            uint64 validAt = uint64(block.timestamp + v.timelock);
            v.pending[kind] = PendingChange(data, validAt);
            emit IVaultManagement.ChangeSubmitted(kind, data, validAt);
        }
    }

    /// @dev Validates `data` of a fee, keeper-pay, outage or venue `kind`; stores it (a venue: moves) when `store`.
    function _apply(IVaultManagement.ChangeKind kind, bytes memory data, bool store) private {
        VaultLayout storage v = _vault();
        if (kind == IVaultManagement.ChangeKind.Fees) {
            (uint16 managementFeeBps, uint16 performanceFeeBps) = abi.decode(data, (uint16, uint16));
            if (managementFeeBps > MAX_MANAGEMENT_FEE_BPS || performanceFeeBps > MAX_PERFORMANCE_FEE_BPS) {
                revert VaultFeeAboveCap(managementFeeBps, performanceFeeBps);
            }
            if (v.fees.recipient == address(0) && managementFeeBps | performanceFeeBps != 0) revert VaultZeroFeeRecipient();
            if (!store) return;
            // Accrued at the old rates up to now; a fee switched on starts from the share price of now (the accrual
            // raises the fee mark to it even while both fees are zero).
            ILeverageVault(address(this)).accrueFee();
            (v.fees.managementFeeBps, v.fees.performanceFeeBps) = (managementFeeBps, performanceFeeBps);
            emit FeesSet(managementFeeBps, performanceFeeBps);
        } else if (kind == IVaultManagement.ChangeKind.Outage) {
            OutageConfig memory config = abi.decode(data, (OutageConfig));
            if (!OutageSettings.isValid(config)) revert OutageInvalidConfig(config);
            if (!store) return;
            v.outage = config;
            emit OutageConfigSet(config);
        } else if (kind == IVaultManagement.ChangeKind.Venue) {
            address implementation = abi.decode(data, (address));
            address mover = _destinationMover(implementation);
            if (store) _moveVenue(implementation, mover);
        } else {
            IVaultAutomation.KeeperPayConfig memory config = abi.decode(data, (IVaultAutomation.KeeperPayConfig));
            if (
                config.multiplierBps > MAX_KEEPER_PAY_MULTIPLIER_BPS
                    || (config.multiplierBps != 0
                        && (config.maxGasPrice == 0 || config.maxPerAction == 0 || config.maxPerDay == 0))
            ) revert KeeperInvalidPayConfig(config);
            if (!store) return;
            v.keeperPay = config;
            emit KeeperPayConfigSet(config);
        }
    }
}
