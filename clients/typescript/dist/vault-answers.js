"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.instantOf = instantOf;
exports.tokenOf = tokenOf;
exports.reportOf = reportOf;
const isFields = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value) => typeof value === 'string';
const isSeconds = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
/** An instant the vault wrote (ISO-8601 with its offset), or null when it is not one. */
function instantOf(value) {
    if (!isText(value))
        return null;
    const instant = new Date(value);
    return Number.isNaN(instant.getTime()) ? null : instant;
}
/** The token in an answer, or null when the answer is not the vault's token shape. */
function tokenOf(body) {
    if (!isFields(body))
        return null;
    const { clientId, accessToken, tokenType, scope, source, expiresIn } = body;
    if (!isText(clientId) || !isText(accessToken) || accessToken === '' || !isSeconds(expiresIn))
        return null;
    if (!isText(tokenType) || !isText(scope) || !isText(source))
        return null;
    const issuedAt = instantOf(body.issuedAt);
    const expiresAt = instantOf(body.expiresAt);
    if (issuedAt === null || expiresAt === null)
        return null;
    const broker = isText(body.broker) ? body.broker : 'pocketful';
    return { clientId, broker, accessToken, tokenType, scope, source, issuedAt, expiresAt, expiresIn };
}
function reportOf(body) {
    if (!isFields(body))
        return null;
    const { clientId, verdict, checked, nextCheckIn } = body;
    if (!isText(clientId) || !['invalid', 'live', 'checking'].includes(verdict))
        return null;
    if (typeof checked !== 'boolean' || !isSeconds(nextCheckIn))
        return null;
    return { clientId, verdict: verdict, checked, nextCheckIn };
}
