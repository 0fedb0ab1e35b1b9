/// The acknowledgement mode of a subscription (the SUBSCRIBE frame's `ack` header).
public enum StompAckMode: String, Sendable {
    /// The broker considers a message consumed as soon as it sends it (messages can be lost).
    case auto
    /// An ACK acknowledges the message and every earlier one of the subscription. What
    /// `StompConsumer` uses (one ACK per handled batch).
    case client
    /// An ACK acknowledges exactly one message; unacknowledged ones are redelivered when the
    /// connection or subscription closes.
    case clientIndividual = "client-individual"
}
